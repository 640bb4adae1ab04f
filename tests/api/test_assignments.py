"""/api/v1/assignments/: training assigned through reminders' services (the same checks,
audit and background enrollment as the site), scoped to the token's agency."""

import datetime

import pytest

from agencies.models import AuditEvent
from learning.models import Enrollment
from reminders.models import Assignee, Assignment
from tests.builders import build_course

WRITE = ["assignments:write"]


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def _in_a_week():
    return (datetime.date.today() + datetime.timedelta(days=7)).isoformat()


def test_assigns_a_unit_through_the_service_and_enrolls_its_people(
    world, api, course, django_capture_on_commit_callbacks
):
    client = api(world.a, scopes=WRITE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "assignments/",
            {"course": course.pk, "target": "unit", "unit": world.digital.pk, "due_days": 30},
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["target"] == "unit" and body["unit"] == world.digital.pk
    assert body["course"] == course.pk and body["removed_at"] is None
    assignment = Assignment.objects.get(pk=body["id"])
    assert assignment.created_by == world.a_admin
    enrolled = set(Enrollment.objects.filter(course=course).values_list("user__email", flat=True))
    assert enrolled == {"manager@a.gov", "trainer@a.gov", "learner@a.gov"}
    assert AuditEvent.objects.filter(action="assignment.create", actor=world.a_admin).exists()
    listed = client.get("assignments/").json()["results"]
    assert [row["id"] for row in listed] == [assignment.pk]
    assert client.get(f"assignments/{assignment.pk}/").json()["status"] == "done"


def test_assigns_chosen_people_and_the_whole_agency(world, api, course):
    client = api(world.a, scopes=WRITE)
    people = client.post(
        "assignments/",
        {
            "course": course.pk,
            "target": "people",
            "people": [world.a_learner.pk, world.a_ops_learner.pk],
            "due_on": _in_a_week(),
        },
    )
    assert people.status_code == 201, people.content
    assert people.json()["people"] == sorted([world.a_learner.pk, world.a_ops_learner.pk])
    agency = client.post("assignments/", {"course": course.pk, "target": "agency", "due_days": 5})
    assert agency.status_code == 201, agency.content
    assert agency.json()["people_total"] == 5


def test_refuses_a_past_due_date_and_incoherent_terms_as_problems(world, api, course):
    client = api(world.a, scopes=WRITE)
    yesterday = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    past = client.post(
        "assignments/", {"course": course.pk, "target": "agency", "due_on": yesterday}
    )
    assert past.status_code == 400
    assert past["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in past.json()["errors"]] == ["due_on"]
    both = client.post(
        "assignments/",
        {"course": course.pk, "target": "agency", "due_on": _in_a_week(), "due_days": 3},
    )
    assert both.status_code == 400
    no_unit = client.post("assignments/", {"course": course.pk, "target": "unit", "due_days": 3})
    assert no_unit.status_code == 400
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.filter(action="assignment.create", outcome="rejected").exists()


def test_preview_says_what_it_would_do_and_writes_nothing(world, api, course):
    client = api(world.a, scopes=WRITE)
    response = client.post(
        "assignments/preview/",
        {"course": course.pk, "target": "unit", "unit": world.digital.pk, "due_on": _in_a_week()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["people"] == 3 and body["due_on"] == _in_a_week()
    assert body["courses"] == [{"course": course.pk, "completed": 0, "enrolled": 0}]
    assert body["reminders"] and all("text" in line for line in body["reminders"])
    assert not Assignment.objects.exists()
    yesterday = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    refused = client.post(
        "assignments/preview/", {"course": course.pk, "target": "agency", "due_on": yesterday}
    )
    assert refused.status_code == 400


def test_removes_an_assignment_through_the_service(
    world, api, course, django_capture_on_commit_callbacks
):
    client = api(world.a, scopes=WRITE)
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            "assignments/", {"course": course.pk, "target": "agency", "due_days": 10}
        ).json()
    response = client.delete(f"assignments/{made['id']}/")
    assert response.status_code == 204
    assignment = Assignment.objects.get(pk=made["id"])
    assert assignment.removed_by == world.a_admin
    assert not Assignee.objects.filter(assignment=assignment, is_active=True).exists()
    assert Enrollment.objects.filter(course=course).count() == 5  # enrollments stay
    assert AuditEvent.objects.filter(action="assignment.remove").count() == 1
    assert client.delete(f"assignments/{made['id']}/").status_code == 204  # no-op
    assert AuditEvent.objects.filter(action="assignment.remove").count() == 1
    assert client.get(f"assignments/{made['id']}/").json()["removed_at"] is not None


def test_another_agencys_assignments_are_404_and_never_listed(world, api, course):
    mine = api(world.a, scopes=WRITE).post(
        "assignments/", {"course": course.pk, "target": "agency", "due_days": 10}
    )
    other = api(world.b, scopes=WRITE)
    assert other.get("assignments/").json()["results"] == []
    assert other.get(f"assignments/{mine.json()['id']}/").status_code == 404
    assert other.delete(f"assignments/{mine.json()['id']}/").status_code == 404
    assert Assignment.objects.get().removed_at is None
    # Agency A's course, unit and people are unknown ids to agency B's client.
    refused = other.post(
        "assignments/",
        {
            "course": course.pk,
            "target": "people",
            "people": [world.a_learner.pk],
            "due_days": 3,
        },
    )
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} == {"course", "people.0"}
    unit = other.post("assignments/", {"course": course.pk, "target": "unit", "unit": world.ops.pk})
    assert "unit" in {e["field"] for e in unit.json()["errors"]}
    assert Assignment.objects.count() == 1


def test_scopes_are_enforced(world, api, course):
    reader = api(world.a, scopes=["learning:read"])
    assert reader.get("assignments/").status_code == 200
    body = {"course": course.pk, "target": "agency", "due_days": 10}
    assert reader.post("assignments/", body).status_code == 403
    assert reader.post("assignments/preview/", body).status_code == 403
    made = api(world.a, scopes=WRITE).post("assignments/", body).json()
    assert reader.delete(f"assignments/{made['id']}/").status_code == 403
    assert api(world.a, scopes=["people:read"]).get("assignments/").status_code == 403
    assert Assignment.objects.get().removed_at is None


def test_a_retried_create_with_an_idempotency_key_assigns_once(world, api, course, client):
    token_client = api(world.a, scopes=WRITE)
    body = {"course": course.pk, "target": "agency", "due_days": 10}
    first = client.post(
        "/api/v1/assignments/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **token_client.auth,
    )
    again = client.post(
        "/api/v1/assignments/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        **token_client.auth,
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Assignment.objects.count() == 1
