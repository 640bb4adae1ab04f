"""Recurring assignments: a new period reopens the training; earlier certificates stay valid."""

import datetime

import pytest
import time_machine

from learning.models import Certificate, Enrollment, EnrollmentStatus
from learning.selectors import certificate_verification
from reminders import services
from reminders.models import Assignee, LogStatus, RecurAnchor, ReminderLog, TargetKind
from tests.builders import finish_course

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


def assign_recurring(world, course_a, assign, anchor, due):
    with at(D(2027, 3, 1)):
        return assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=due,
            recur_months=12,
            recur_anchor=anchor,
        )


def test_completion_anchored_recurrence_reopens_a_year_after_completion(
    world, course_a, assign, scan
):
    assign_recurring(world, course_a, assign, RecurAnchor.COMPLETION, D(2027, 3, 21))
    enrollment = Enrollment.objects.get(user=world.a_learner)
    with at(D(2027, 3, 10)):
        finish_course(enrollment)
    first = Certificate.objects.get(issued_for=enrollment)
    with at(D(2028, 2, 8)):
        assert services.recurrence_roll() == 0  # the new period opens 30 days before its due
    with at(D(2028, 2, 9)):
        assert services.recurrence_roll() == 1
        assert services.recurrence_roll() == 0
    enrollment.refresh_from_db()
    assert (enrollment.period, enrollment.status, enrollment.due_on) == (
        2,
        EnrollmentStatus.NOT_STARTED,
        D(2028, 3, 10),
    )
    first.refresh_from_db()
    assert first.period == 1 and first.enrollment_id is None and first.is_valid
    assert certificate_verification(first.code) == first
    assignee = Assignee.objects.get()
    assert (assignee.period, assignee.due_on) == (2, D(2028, 3, 10))
    with at(D(2028, 2, 25)):
        sent = scan()
    assert [m.subject for m in sent] == ["Reminder: “Intro to AI” is due on March 10, 2028"]
    assert ReminderLog.objects.get(status=LogStatus.SENT).key.startswith(
        f"before:{enrollment.pk}:2:"
    )
    with at(D(2028, 3, 1)):
        finish_course(Enrollment.objects.get(pk=enrollment.pk))
    second = Certificate.objects.get(enrollment=enrollment)
    assert second.period == 2 and second.code != first.code
    assert Certificate.objects.filter(issued_for=enrollment, revoked_at__isnull=True).count() == 2


def test_calendar_anchored_recurrence_keeps_its_date_after_a_late_completion(
    world, course_a, assign
):
    assign_recurring(world, course_a, assign, RecurAnchor.CALENDAR, D(2027, 3, 31))
    enrollment = Enrollment.objects.get(user=world.a_learner)
    with at(D(2027, 4, 20)):
        finish_course(enrollment)
    with at(D(2028, 2, 29)):
        assert services.recurrence_roll() == 0
    with at(D(2028, 3, 1)):
        assert services.recurrence_roll() == 1
    enrollment.refresh_from_db()
    assert (enrollment.period, enrollment.due_on) == (2, D(2028, 3, 31))


def test_a_pending_reminder_of_an_earlier_period_is_moot(world, course_a, assign):
    assign_recurring(world, course_a, assign, RecurAnchor.COMPLETION, D(2027, 3, 21))
    enrollment = Enrollment.objects.get(user=world.a_learner)
    with at(D(2027, 3, 7)):
        services.reminders_scan()  # period 1 reminder recorded, not yet sent
        finish_course(enrollment)
    with at(D(2028, 2, 9)):
        services.recurrence_roll()
        log = ReminderLog.objects.get(period=1)
        services.reminders_send(log_ids=[log.pk])
    log.refresh_from_db()
    assert (log.status, log.last_error) == (LogStatus.SKIPPED, "period over")


def test_non_recurring_assignments_never_reopen(world, course_a, assign):
    with at(D(2027, 3, 1)):
        assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=D(2027, 3, 21),
        )
    with at(D(2027, 3, 10)):
        finish_course(Enrollment.objects.get(user=world.a_learner))
    with at(D(2030, 1, 1)):
        assert services.recurrence_roll() == 0
