"""People's actions and the reads behind them: overdue is judged by the agency's own date."""

import datetime

import pytest
import time_machine

from reminders.models import TargetKind
from reminders.selectors import assignment_summary, overdue_managed
from reports.access import dashboard_scope
from reports.selectors.overdue import overdue_enrollments

pytestmark = pytest.mark.django_db
D = datetime.date


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def test_overdue_lists_turn_over_at_the_agency_midnight_not_at_the_send_hour(
    world, course_a, assign, frozen
):
    assignment = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=D(2027, 3, 1),
    )
    # 2 March, 03:00 UTC: the agency (UTC) is on its 2nd day, before the 07:00 send hour.
    with at(datetime.datetime(2027, 3, 2, 3, tzinfo=datetime.UTC)):
        reminders_overdue = list(
            overdue_managed(user=world.a_manager).values_list("user__email", flat=True)
        )
        dashboard_overdue = list(
            overdue_enrollments(dashboard_scope(world.a_manager)).values_list(
                "user__email", flat=True
            )
        )
        summary = assignment_summary(user=world.a_manager, assignment=assignment)
    assert reminders_overdue == dashboard_overdue == ["learner@a.gov"]
    assert summary["overdue"] == 1
    with at(datetime.datetime(2027, 3, 1, 23, 59, tzinfo=datetime.UTC)):
        assert not overdue_managed(user=world.a_manager).exists()


def test_overdue_lists_follow_the_agency_time_zone(world, course_a, assign, frozen):
    assignment = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=D(2027, 3, 1),
    )
    world.a.time_zone = "America/Los_Angeles"
    world.a.save(update_fields=["time_zone"])
    assignment.agency.refresh_from_db()
    world.a_manager.__dict__.pop("_academy_actor", None)
    # 2 March, 03:00 UTC is still 1 March (19:00) in Los Angeles: not overdue yet.
    with at(datetime.datetime(2027, 3, 2, 3, tzinfo=datetime.UTC)):
        assert not overdue_managed(user=world.a_manager).exists()
        assert assignment_summary(user=world.a_manager, assignment=assignment)["overdue"] == 0
