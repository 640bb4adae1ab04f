"""/api/v1/courses/ and /api/v1/certificates/: what the agency can see, read with
learning:read, nothing of another agency."""

from learning import services as learning
from tests.builders import build_course, finish_course


def test_courses_are_those_the_agency_sees(world, api):
    mine = build_course(world.a_trainer, world.a, publish=True)
    build_course(world.a_trainer, world.a, slug="draft-only", title="Draft")  # unpublished
    client = api(world.a, scopes=["learning:read"])
    rows = client.get("courses/").json()["results"]
    assert [r["slug"] for r in rows] == [mine.slug]
    assert client.get(f"courses/{mine.pk}/").json()["title"] == mine.title
    other = api(world.b, scopes=["learning:read"])
    assert mine.slug not in [r["slug"] for r in other.get("courses/").json()["results"]]
    assert other.get(f"courses/{mine.pk}/").status_code == 404
    assert api(world.a, scopes=["people:read"]).get("courses/").status_code == 403


def test_certificates_of_the_agency_only(world, api):
    course = build_course(world.a_trainer, world.a, publish=True)
    enrollment = finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    certificate = enrollment.certificate
    client = api(world.a, scopes=["learning:read"])
    rows = client.get("certificates/", {"course": course.pk}).json()["results"]
    assert [(r["code"], r["person"], r["valid"]) for r in rows] == [
        (certificate.code, world.a_learner.pk, True)
    ]
    other = api(world.b, scopes=["learning:read"])
    assert other.get("certificates/").json()["results"] == []
    assert other.get(f"certificates/{certificate.pk}/").status_code == 404
    assert api(world.a, scopes=["people:write"]).get("certificates/").status_code == 403
