"""End to end: a real Celery worker on Redis scans and sends reminders to a real SMTP server.

Shared database: the worker is a separate process, so it must see what the test wrote. We use
PostgreSQL with a transactional test (`django_db(transaction=True)`: data is committed), and give
the worker DATABASE_URL pointing at pytest-django's test database (`test_<name>`). On SQLite the
test database is in memory and invisible to another process, so this test is skipped there.
Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest -m integration
"""

import asyncio
import datetime
import email
import email.policy
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection

from reminders import services
from reminders.models import Kind, LogStatus, ReminderLog, TargetKind
from reminders.services.messages import reminder_message_id
from tests.builders import bulk_members
from tests.celery_worker import redis_reachable, running_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
TIMEOUT = 90


class Sink:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    sink, port = Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def worker(tmp_path, smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the database: run on PostgreSQL")
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    db = connection.settings_dict
    overrides = {
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server[1]}",
        "ACADEMY_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "true",
        "DJANGO_CONN_MAX_AGE": "0",
    }
    log_path = tmp_path / "worker.log"
    with running_worker(
        overrides, log_path=log_path, pool="threads", concurrency=4, name="reminders"
    ) as process:
        yield process, log_path


# Sent, or skipped as not needed (a Monday's digest with nothing to report): nothing left to do.
FINISHED = (LogStatus.SENT, LogStatus.SKIPPED)


def test_assigned_people_receive_each_reminder_once_over_smtp(world, course_a, worker, smtp_server):
    process, log_path = worker
    sink, _port = smtp_server
    today = datetime.date.today()
    services.assignment_create(
        actor=world.a_manager,
        course=course_a,
        target=TargetKind.UNIT,
        unit=world.digital,
        due_on=today + datetime.timedelta(days=3),
    )
    # Tasks in this (test) process run eagerly: the assignment is materialised already.
    app = Celery("reminders-test-client", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    try:
        app.send_task("reminders.tasks.reminders_scan_task").get(timeout=TIMEOUT)
        app.send_task("reminders.tasks.reminders_scan_task").get(
            timeout=TIMEOUT
        )  # a duplicate beat
    except Exception:  # noqa: BLE001
        pytest.fail(f"worker alive: {process.poll() is None}\n{log_path.read_text()[-4000:]}")
    finally:
        app.close()
    deadline = time.monotonic() + TIMEOUT
    while len(sink.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # anything extra would arrive now
    # On a Monday the same scan also sends the managers' weekly digest: a kind of its own, whose
    # message is not asserted here.
    reminders = [m for m in sink.messages if m["X-Academy-Reminder"].startswith(f"{Kind.BEFORE}:")]
    assert sorted(m["To"] for m in reminders) == [
        "learner@a.gov",
        "manager@a.gov",
        "trainer@a.gov",
    ], log_path.read_text()[-3000:]
    keys = [m["X-Academy-Reminder"] for m in sink.messages]
    assert len(set(keys)) == len(keys)  # nothing twice, the digest included
    message = reminders[0]
    assert message.is_multipart()
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    assert "Intro to AI" in message["Subject"]
    assert set(ReminderLog.objects.filter(kind=Kind.BEFORE).values_list("status", flat=True)) == {
        LogStatus.SENT
    }
    assert set(ReminderLog.objects.values_list("status", flat=True)) <= set(FINISHED)


class SlowSink(Sink):
    """A mail server that takes a while per message, so a worker can be killed mid-run."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        await asyncio.sleep(0.15)
        return await super().handle_DATA(server, session, envelope)


def _worker_env(tmp_path, port, **extra):
    db = connection.settings_dict
    return {
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "ACADEMY_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "true",
        "DJANGO_CONN_MAX_AGE": "0",
        "REMINDERS_SEND_CHUNK": "5",
        **extra,
    }


def test_a_worker_killed_mid_run_loses_nothing_and_sends_nothing_new_twice(
    world, course_a, tmp_path
):
    """SIGKILL the worker while it sends; a new worker and the sweep deliver every reminder.
    A message handed over just before the kill may arrive twice, with the same Message-ID,
    which the recipient's mail system keeps once: none is missing, none differs."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the database: run on PostgreSQL")
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    bulk_members(world.a, [world.digital], 40)
    services.assignment_create(
        actor=world.a_manager,
        course=course_a,
        target=TargetKind.UNIT,
        unit=world.digital,
        due_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    sink, port = SlowSink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app = Celery("reminders-kill-client", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    try:
        first_log = tmp_path / "first.log"
        with running_worker(
            _worker_env(tmp_path, port), log_path=first_log, pool="threads", concurrency=2
        ) as first:
            app.send_task("reminders.tasks.reminders_scan_task").get(timeout=TIMEOUT)
            total = ReminderLog.objects.count()
            assert total >= 43, first_log.read_text()[-4000:]
            deadline = time.monotonic() + TIMEOUT
            while len(sink.messages) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        before_kill = len(sink.messages)
        assert 0 < before_kill < total, first_log.read_text()[-3000:]
        assert ReminderLog.objects.exclude(status=LogStatus.SENT).exists()

        second_log = tmp_path / "second.log"
        quick_sweep = {
            "REMINDERS_STALE_SENDING_SECONDS": "1",
            "REMINDERS_REQUEUE_PENDING_SECONDS": "1",
        }
        with running_worker(
            _worker_env(tmp_path, port, **quick_sweep),
            log_path=second_log,
            pool="threads",
            concurrency=2,
            name="second",
        ):
            time.sleep(2)  # the killed worker's claims are now older than the stale limit
            app.send_task("reminders.tasks.reminders_sweep_task").get(timeout=TIMEOUT)
            deadline = time.monotonic() + TIMEOUT
            while (
                ReminderLog.objects.exclude(status__in=FINISHED).exists()
                and time.monotonic() < deadline
            ):
                time.sleep(0.2)
            time.sleep(1)  # anything extra would arrive now
    finally:
        app.close()
        controller.stop()
    assert not ReminderLog.objects.exclude(status__in=FINISHED).exists(), second_log.read_text()[
        -3000:
    ]
    sent = ReminderLog.objects.filter(status=LogStatus.SENT)
    expected = {reminder_message_id(log) for log in sent}
    received = [m["Message-ID"] for m in sink.messages]
    assert set(received) == expected  # every reminder arrived
    # A repeat is only ever the same message again (same Message-ID, same recipient).
    by_id = {}
    for message in sink.messages:
        by_id.setdefault(message["Message-ID"], set()).add((message["To"], message["Subject"]))
    assert all(len(variants) == 1 for variants in by_id.values())
    assert len(received) - len(expected) <= 5 * 2  # at most the chunks in flight: 5 x 2 threads
