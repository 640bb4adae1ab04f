"""Session reminders when the beat task runs twice at once: run on PostgreSQL.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/pytest tests/live/test_reminders_concurrency.py
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from agencies.models import Role
from live import services
from live.tasks import session_reminders_task
from reminders.models import LogStatus, ReminderLog
from tests.builders import make_member

from .conftest import schedule

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def _run_together(target, times):
    barrier = threading.Barrier(times)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_concurrent_runs_send_each_reminder_once(world):
    session = schedule(world.a_trainer, days=2, capacity=40)
    for index in range(30):
        person = make_member(world.a, Role.LEARNER, world.data, email=f"seat{index}@a.gov")
        services.registration_create(actor=person, session=session)
    mail.outbox.clear()
    for moment in (timedelta(hours=23), timedelta(minutes=50)):
        with time_machine.travel(session.starts_at - moment, tick=False):
            _run_together(session_reminders_task, 4)
            session_reminders_task()  # and a late one
    sent = Counter(m.extra_headers["X-Academy-Reminder"] for m in mail.outbox)
    logs = ReminderLog.objects.all()
    assert Counter(logs.values_list("kind", flat=True)) == {"session_day": 30, "session_hour": 30}
    assert set(sent) == set(logs.values_list("key", flat=True))
    assert max(sent.values()) == 1
    assert set(logs.values_list("status", flat=True)) == {LogStatus.SENT}
