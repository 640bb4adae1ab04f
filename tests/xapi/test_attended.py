"""Attending a live session gives an xAPI `attended` statement (ADL verb), with the course as
parent and the enrollment as registration when the person is enrolled in the session's course,
without them otherwise."""

import json

import pytest
from django.conf import settings

from learning import services as learning
from tests.builders import with_live_steps
from xapi.models import Activity, OutboxStatement

from .conftest import configure
from .test_statements import assert_valid_statement

pytestmark = pytest.mark.django_db

ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


def attended_statements(agency):
    rows = OutboxStatement.objects.filter(agency=agency, verb="attended").order_by("id")
    return [json.loads(row.body) for row in rows]


def attend(user, course_id, session_id=42, title="Prompting workshop"):
    learning.attendances_record(
        session_id=session_id, title=title, course_id=course_id, user_ids=[user.pk]
    )


def test_an_enrolled_person_attending_gives_attended_with_the_course_as_parent(
    world, course, lrs_a
):
    with_live_steps(course, "Workshop")
    learning.enrollment_create(user=world.a_learner, course=course)
    attend(world.a_learner, course.pk)
    [statement] = attended_statements(world.a)
    assert_valid_statement(statement)
    assert statement["verb"] == {"id": ATTENDED, "display": {"en-US": "attended"}}
    base = settings.XAPI_IRI_BASE.rstrip("/")
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{base}/live-sessions/42",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "name": {"en": "Prompting workshop"},
        },
    }
    context = statement["context"]
    assert context["contextActivities"] == {
        "parent": [{"objectType": "Activity", "id": f"{base}/courses/{course.slug}"}]
    }
    registered = next(s for s in OutboxStatement.objects.filter(verb="registered"))
    assert context["registration"] == json.loads(registered.body)["context"]["registration"]


def test_someone_not_enrolled_gets_attended_without_registration_or_parent(world, lrs_a):
    attend(world.a_learner, None)
    [statement] = attended_statements(world.a)
    assert_valid_statement(statement)
    assert statement["verb"]["id"] == ATTENDED
    assert "registration" not in statement["context"]
    assert "contextActivities" not in statement["context"]


def test_marking_twice_gives_one_statement(world, lrs_a):
    attend(world.a_learner, None)
    attend(world.a_learner, None)
    assert len(attended_statements(world.a)) == 1


def test_attendance_is_sent_only_when_the_agency_chose_it(world, lrs_a):
    activities = [a for a in Activity.values if a != Activity.ATTENDANCE]
    configure(world, world.a, world.a_admin, endpoint=lrs_a.endpoint, activities=activities)
    attend(world.a_learner, None)
    assert attended_statements(world.a) == []
