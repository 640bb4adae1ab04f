"""Deactivation over SCIM stops the person's reminders (and keeps their enrollments)."""

import datetime

import time_machine

from learning.models import Enrollment
from reminders.models import TargetKind
from tests.reminders import conftest as reminder_fixtures

# The reminder tests' fixtures, used here as they are there.
assign, course_a = reminder_fixtures.assign, reminder_fixtures.course_a
frozen, scan = reminder_fixtures.frozen, reminder_fixtures.scan

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DUE = datetime.date(2027, 3, 21)


def test_deactivated_over_scim_gets_no_more_reminders(
    world, course_a, assign, frozen, scan, raw_scim
):
    assign(
        world.a_admin,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner, world.a_ops_learner],
        due_on=DUE,
    )
    response = raw_scim().call(
        "PATCH",
        f"Users/{world.a_learner.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]},
    )
    assert response.status_code == 200 and response.json()["active"] is False
    week_before = datetime.datetime(2027, 3, 14, 12, tzinfo=datetime.UTC)
    with time_machine.travel(week_before, tick=False):
        sent = scan()
    recipients = {m.to[0] for m in sent}
    assert "ops@a.gov" in recipients  # the reminder was due...
    assert "learner@a.gov" not in recipients  # ...but not for the deactivated person
    assert Enrollment.objects.filter(user=world.a_learner, course__pk=course_a.pk).exists()
