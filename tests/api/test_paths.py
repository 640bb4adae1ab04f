"""/api/v1/paths/: the published learning paths the agency sees, read with learning:read,
nothing of another agency."""

from courses.services import learning_path_save
from tests.builders import build_course


def test_paths_are_those_the_agency_sees_with_their_courses_in_order(world, api):
    first = build_course(world.a_trainer, world.a, publish=True)
    second = build_course(world.a_trainer, world.a, slug="ai-two", title="Two", publish=True)
    mine = learning_path_save(
        actor=world.a_admin,
        agency=world.a,
        slug="a-path",
        title="A's path",
        course_slugs=[second.slug, first.slug],
    )
    learning_path_save(
        actor=world.a_admin,
        agency=world.a,
        slug="a-draft-path",
        title="Draft",
        course_slugs=[first.slug],
        publish=False,
    )
    theirs = learning_path_save(
        actor=world.b_admin, agency=world.b, slug="b-path", title="B's path", course_slugs=[]
    )
    client = api(world.a, scopes=["learning:read"])
    rows = client.get("paths/").json()["results"]
    assert [(r["slug"], r["courses"]) for r in rows] == [("a-path", [second.pk, first.pk])]
    assert client.get(f"paths/{mine.pk}/").json()["title"] == "A's path"
    assert client.get(f"paths/{theirs.pk}/").status_code == 404
    other = api(world.b, scopes=["learning:read"])
    assert [r["slug"] for r in other.get("paths/").json()["results"]] == ["b-path"]
    assert other.get(f"paths/{mine.pk}/").status_code == 404
    assert api(world.a, scopes=["people:read"]).get("paths/").status_code == 403
