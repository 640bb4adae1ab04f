"""A database or broker outage while reminders are sent: nothing lost, nothing sent twice.

bench/faults.py does the same with real servers (PostgreSQL stopped, Redis restarted empty);
these tests pin down each piece of the app's behaviour on its own.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError

from reminders import services
from reminders.models import Assignee, LogStatus, MaterialiseStatus, ReminderLog, TargetKind
from reminders.services import sending
from reminders.tasks import reminder_send_task, reminders_sweep_task

from .conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_reminder(world, course_a):
    """The learner assigned the course at T0, due that day, and the reminder the scan records
    (not sent: on-commit callbacks do not run in these tests)."""
    with time_machine.travel(T0, tick=False):
        assignment = services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=T0.date(),
        )
        services.assignment_materialise_batch(assignment_id=assignment.pk)
        services.reminders_scan()
    (log,) = ReminderLog.objects.all()
    return log


def fail_first(monkeypatch, module, name, times):
    """Make module.name raise OperationalError (the database is unreachable) `times` times."""
    real, calls = getattr(module, name), []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("connection refused")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)
    return calls


def test_reminders_handed_over_during_a_database_outage_are_recorded_once_it_is_back(
    due_reminder, monkeypatch
):
    calls = fail_first(monkeypatch, sending, "_record", times=2)
    monkeypatch.setattr(sending.time, "sleep", lambda seconds: None)
    result = services.reminders_send(log_ids=[due_reminder.pk])
    due_reminder.refresh_from_db()
    assert (result.sent, result.failed, result.retry) == ([due_reminder.pk], [], {})
    assert due_reminder.status == LogStatus.SENT
    assert len(calls) == 3 and len(mail.outbox) == 1  # recorded on the third try, sent once


def test_past_the_retry_window_the_rows_are_left_to_the_sweep(due_reminder, monkeypatch, settings):
    settings.REMINDERS_RECORD_RETRY_SECONDS = 0
    fail_first(monkeypatch, sending, "_record", times=99)
    with pytest.raises(OperationalError):
        services.reminders_send(log_ids=[due_reminder.pk])
    due_reminder.refresh_from_db()
    # Claimed and handed over, not recorded: the sweep sends it again with the same Message-ID.
    assert due_reminder.status == LogStatus.SENDING and len(mail.outbox) == 1


def test_a_send_task_that_finds_the_database_unreachable_tries_again(due_reminder, monkeypatch):
    calls = fail_first(monkeypatch, sending, "_claim", times=1)
    # Eager, without propagating, so that Celery runs the retry at once instead of raising.
    reminder_send_task.apply(args=[[due_reminder.pk]], throw=False)
    due_reminder.refresh_from_db()
    assert len(calls) == 2
    assert due_reminder.status == LogStatus.SENT and len(mail.outbox) == 1


def test_the_sweep_hands_a_lost_materialisation_to_a_new_task(world, course_a):
    with time_machine.travel(T0, tick=False):
        assignment = services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_on=T0.date() + datetime.timedelta(days=7),
        )  # its materialising task never ran: as if the broker had lost it
    assert services.assignments_unfinished(now=T0 + datetime.timedelta(minutes=1)) == []
    later = T0 + datetime.timedelta(hours=1)
    assert services.assignments_unfinished(now=later) == [assignment.pk]

    with time_machine.travel(later, tick=False):
        outcome = reminders_sweep_task.apply().get()  # eager: the new task runs at once
    assignment.refresh_from_db()
    assert outcome["materialising"] == 1
    assert assignment.status == MaterialiseStatus.DONE
    assert Assignee.objects.filter(assignment=assignment).count() == assignment.people_done > 0
    assert services.assignments_unfinished(now=later) == []


def test_a_removed_assignment_is_not_materialised_again(world, course_a):
    with time_machine.travel(T0, tick=False):
        assignment = services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_on=T0.date() + datetime.timedelta(days=7),
        )
    services.assignment_remove(actor=world.a_manager, assignment=assignment)
    assert services.assignments_unfinished(now=T0 + datetime.timedelta(hours=1)) == []
