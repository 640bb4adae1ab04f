"""Each reminder key is sent once: concurrent scans, repeated tasks, failures and crashes.

The concurrency tests need PostgreSQL (row locks, SKIP LOCKED, real concurrent transactions)
and are skipped on SQLite; the retry and crash tests run on both.
"""

import datetime
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from academy.celery import app
from reminders import conf, services
from reminders.models import LogStatus, ReminderLog, TargetKind
from reminders.tasks import reminder_send_task
from tests.builders import bulk_members

from . import backends
from .conftest import T0

DUE = T0.date()  # due today: every learner gets the due-date step


def one_reminder_due(world, course_a) -> ReminderLog:
    """The learner assigned the course at T0, and the one reminder the scan records for it."""
    with time_machine.travel(T0, tick=False):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=DUE,
        )
        services.assignment_materialise_batch(assignment_id=world.a.assignments.get().pk)
        services.reminders_scan()
    (log,) = ReminderLog.objects.all()
    return log


postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks"
)


@pytest.fixture
def no_worker():
    """Tasks are queued on the in-memory broker and not run: as if no worker were up yet."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def _assign_many(world, course_a, count):
    bulk_members(world.a, [world.data, world.ops], count)
    assignment = services.assignment_create(
        actor=world.a_admin, course=course_a, target=TargetKind.AGENCY, due_on=DUE
    )
    while not services.assignment_materialise_batch(assignment_id=assignment.pk):
        pass
    return assignment


def _run_together(*targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def _sent_keys():
    return Counter(m.extra_headers["X-Academy-Reminder"] for m in mail.outbox)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(world, course_a):
    with time_machine.travel(T0, tick=False):
        _assign_many(world, course_a, 120)
        _run_together(services.reminders_scan, services.reminders_scan)
        services.reminders_scan()  # and a third, late one
    sent = _sent_keys()
    logs = ReminderLog.objects.filter(kind="due")
    assert logs.count() == 125  # 120 bulk learners and the five people of agency A
    assert set(sent) == set(logs.values_list("key", flat=True))
    assert max(sent.values()) == 1
    assert set(logs.values_list("status", flat=True)) == {LogStatus.SENT}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_sending_task_run_twice_at_once_sends_once(world, course_a, no_worker):
    with time_machine.travel(T0, tick=False):
        _assign_many(world, course_a, 60)
        services.reminders_scan()
    ids = list(ReminderLog.objects.values_list("pk", flat=True))
    assert ReminderLog.objects.filter(status=LogStatus.PENDING).count() == len(ids) == 65
    _run_together(
        lambda: services.reminders_send(log_ids=ids),
        lambda: services.reminders_send(log_ids=list(reversed(ids))),
    )
    reminder_send_task.apply(args=[ids])  # a redelivered task, later
    sent = _sent_keys()
    assert len(sent) == 65 and max(sent.values()) == 1
    assert ReminderLog.objects.filter(status=LogStatus.SENT).count() == 65


@pytest.mark.django_db(transaction=True)
def test_a_task_run_twice_in_a_row_sends_once(world, course_a, no_worker):
    with time_machine.travel(T0, tick=False):
        _assign_many(world, course_a, 5)
        services.reminders_scan()
    ids = list(ReminderLog.objects.values_list("pk", flat=True))
    first = reminder_send_task.apply(args=[ids]).get()
    second = reminder_send_task.apply(args=[ids]).get()
    assert (first["sent"], second["sent"]) == (10, 0)
    assert max(_sent_keys().values()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_with_backoff_and_sent_once(world, course_a, settings, no_worker):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    backends.FlakyBackend.calls, backends.FlakyBackend.FAILURES = 0, 1
    with time_machine.travel(T0, tick=False):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=DUE,
        )
        assignment = world.a.assignments.get()
        services.assignment_materialise_batch(assignment_id=assignment.pk)
        services.reminders_scan()
    (log,) = ReminderLog.objects.all()
    app.conf.task_always_eager = True  # the retry runs at once (eager ignores the countdown)
    outcome = reminder_send_task.apply(args=[[log.pk]]).get()
    assert outcome == {"sent": 0, "skipped": 0, "retry": 1, "failed": 0}
    log.refresh_from_db()
    assert (log.status, log.attempts, len(mail.outbox)) == (LogStatus.SENT, 2, 1)
    assert "SMTPServerDisconnected" in log.last_error


@pytest.mark.django_db(transaction=True)
def test_a_send_that_keeps_failing_is_marked_failed_after_max_attempts(
    world, course_a, settings, no_worker
):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    settings.REMINDERS_MAX_ATTEMPTS = 3
    backends.FlakyBackend.calls, backends.FlakyBackend.FAILURES = 0, 100
    log = one_reminder_due(world, course_a)
    app.conf.task_always_eager = True
    reminder_send_task.apply(args=[[log.pk]])
    log.refresh_from_db()
    assert (log.status, log.attempts, len(mail.outbox)) == (LogStatus.FAILED, 3, 0)


def test_backoff_doubles_per_attempt(settings):
    from reminders.services.sending import backoff_seconds

    settings.REMINDERS_RETRY_BASE_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_is_resent_with_the_same_message_id(
    world, course_a, settings, no_worker
):
    log = one_reminder_due(world, course_a)
    settings.EMAIL_BACKEND = "tests.reminders.backends.DyingBackend"
    with pytest.raises(SystemExit):  # handed to the mail server, then the worker died
        services.reminders_send(log_ids=[log.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.reminders_send(log_ids=[log.pk])  # the task redelivered: the row is not pending
    log.refresh_from_db()
    assert (log.status, len(mail.outbox)) == (LogStatus.SENDING, 1)

    soon = log.claimed_at + datetime.timedelta(seconds=conf.stale_after_seconds() // 2)
    assert services.reminders_sweep(now=soon)["requeue"] == []  # maybe still sending
    later = log.claimed_at + datetime.timedelta(hours=1)
    outcome = services.reminders_sweep(now=later)
    assert outcome == {"failed": 0, "resent": 1, "requeue": [log.pk]}
    services.reminders_send(log_ids=outcome["requeue"])
    log.refresh_from_db()
    assert log.status == LogStatus.SENT and log.attempts == 2
    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.subject == again.subject and first.to == again.to


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_reminder_out_of_attempts_is_failed(world, course_a, settings, no_worker):
    settings.REMINDERS_MAX_ATTEMPTS = 1
    log = one_reminder_due(world, course_a)
    settings.EMAIL_BACKEND = "tests.reminders.backends.DyingBackend"
    with pytest.raises(SystemExit):
        services.reminders_send(log_ids=[log.pk])
    log.refresh_from_db()
    outcome = services.reminders_sweep(now=log.claimed_at + datetime.timedelta(hours=1))
    log.refresh_from_db()
    assert outcome == {"failed": 1, "resent": 0, "requeue": []}
    assert log.status == LogStatus.FAILED and "out of attempts" in log.last_error


@pytest.mark.django_db
def test_sweeper_requeues_pending_reminders_whose_task_was_lost(world, course_a, no_worker):
    log = one_reminder_due(world, course_a)
    assert services.reminders_sweep(now=T0 + datetime.timedelta(minutes=1))["requeue"] == []
    assert services.reminders_sweep(now=T0 + datetime.timedelta(hours=1))["requeue"] == [log.pk]
