"""Reminder fan-out benchmark: Academy's scan + worker sending vs. a plain SMTP loop.

    .venv/bin/python bench/reminders.py --learners 100000      # the target size
    .venv/bin/python bench/reminders.py --learners 10000       # quicker

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/academy_bench_reminders, created
if missing) and Redis on 127.0.0.1:6379. It seeds the demo agencies, N bulk learners and an
agency-wide required assignment due today (materialised by the real batch service), starts an
SMTP sink (bench/smtp_sink.py) and a Celery worker, then measures:

1. Academy: the scan (in this process, as beat would run it) plus the sending of every reminder
   by the worker to the sink, until the sink has received them all;
2. the straight loop: the same number of multipart messages sent from one Python loop over one
   SMTP connection to the same sink;

and prints both throughputs, their ratio (target: Academy >= 1/3 of the straight loop) and the
exactly-once check (every reminder key arrived once, every log row is 'sent').
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/13"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port):
    env = {
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/academy_bench_reminders"
        ),
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(50)),
        "ACADEMY_VAR_DIR": os.environ.get("ACADEMY_VAR_DIR", tempfile.mkdtemp(prefix="bench-")),
    }
    os.environ.update(env)
    return dict(os.environ)


def _ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _lines(path):
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _wait_for(path, expected, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _lines(path) >= expected:
            return True
        time.sleep(0.1)
    return False


def setup(learners):
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from agencies.demo import seed_bulk_learners, seed_people
    from courses.demo import seed_courses

    seed_people()
    seed_courses()
    started = time.perf_counter()
    seed_bulk_learners(agency_slug="demo-agency", count=learners)
    print(f"people: {learners} bulk learners ready in {time.perf_counter() - started:.1f}s")
    from learning.models import Enrollment
    from reminders.models import Assignee, Assignment, Notification, ReminderLog

    with connection.cursor() as cursor:  # a fresh run: forget earlier runs' reminders
        for model in (Notification, ReminderLog, Assignee):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    Assignment.objects.all().delete()
    Enrollment.objects.filter(course__slug="genai-fundamentals").delete()


def assign():
    from django.utils import timezone

    from accounts.models import User
    from courses.models import Course
    from reminders import services
    from reminders.models import TargetKind

    course = Course.objects.get(slug="genai-fundamentals")
    admin = User.objects.get(email="agencyadmin@demo.gov")
    started = time.perf_counter()
    assignment = services.assignment_create(
        actor=admin,
        course=course,
        target=TargetKind.AGENCY,
        due_on=timezone.localdate(),
        required=True,
    )
    while not services.assignment_materialise_batch(assignment_id=assignment.pk):
        pass
    assignment.refresh_from_db()
    elapsed = time.perf_counter() - started
    print(
        f"assignment: {assignment.people_done} people enrolled (bulk, in batches of 1000) in "
        f"{elapsed:.1f}s = {assignment.people_done / elapsed:,.0f}/s"
    )
    return assignment.people_done


def start_worker(env, concurrency, log):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "academy",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{secrets.token_hex(4)}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def academy_run(expected, sink_log, timeout):
    from reminders import services

    before = _lines(sink_log)
    started = time.perf_counter()
    logs = 0
    while True:
        result = services.reminders_scan()
        logs += len(result.log_ids)
        if not result.more:
            break
    scanned = time.perf_counter() - started
    print(
        f"scan: {logs} reminders recorded and enqueued in {scanned:.2f}s = {logs / scanned:,.0f}/s"
    )
    if not _wait_for(sink_log, before + expected, timeout):
        print(f"TIMEOUT: the sink has {_lines(sink_log) - before} of {expected}")
    return logs, time.perf_counter() - started


def straight_run(expected, sink_log):
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection

    text = (
        "Hello Ada Learner,\n\n“Generative AI fundamentals” is due today.\n\n"
        "Open the training: http://127.0.0.1:8000/learn/genai-fundamentals/\n"
    )
    html = f"<!DOCTYPE html><html><body><p>{text}</p></body></html>"
    before = _lines(sink_log)
    started = time.perf_counter()
    connection = get_connection()
    connection.open()
    for n in range(expected):
        message = EmailMultiAlternatives(
            "Due today: “Generative AI fundamentals”",
            text,
            settings.DEFAULT_FROM_EMAIL,
            [f"bulk{n:07d}@demo.gov"],
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        message.send()
    connection.close()
    _wait_for(sink_log, before + expected, 60)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    port = _free_port()
    env = _environment(port)
    _ensure_database(env["DATABASE_URL"])
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import academy.celery  # noqa: F401 - the app the tasks are sent with

    setup(args.learners)
    expected = assign()
    workdir = Path(env["ACADEMY_VAR_DIR"])
    sink_log = workdir / "sink.log"
    sink_log.write_text("")
    sink = subprocess.Popen(
        [
            sys.executable,
            str(BASE_DIR / "bench" / "smtp_sink.py"),
            "--port",
            str(port),
            "--out",
            str(sink_log),
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    sink.stdout.readline()
    academy.celery.app.control.purge()
    worker_log = (workdir / "worker.log").open("w")
    worker = start_worker(env, args.concurrency, worker_log)
    try:
        academy.celery.app.send_task("academy.tasks.ping_task", args=["ready"]).get(timeout=120)
        logs, academy_seconds = academy_run(expected, sink_log, args.timeout)
        academy_lines = _lines(sink_log)
        straight_seconds = straight_run(expected, sink_log)
    finally:
        for process in (worker, sink):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        worker_log.close()

    from reminders.models import LogStatus, ReminderLog

    keys = Counter(line.strip() for line in sink_log.read_text().splitlines()[:academy_lines])
    statuses = Counter(ReminderLog.objects.values_list("status", flat=True))
    academy_rate = expected / academy_seconds
    straight_rate = expected / straight_seconds
    ratio = academy_rate / straight_rate
    once = (
        len(keys) == logs == expected
        and max(keys.values(), default=0) == 1
        and statuses == {LogStatus.SENT: expected}
    )
    print(
        f"academy: {expected:,} reminders (scan + worker x{args.concurrency} + SMTP) in "
        f"{academy_seconds:.1f}s = {academy_rate:,.0f}/s"
    )
    print(
        f"straight loop: {expected:,} messages over one SMTP connection in "
        f"{straight_seconds:.1f}s = {straight_rate:,.0f}/s"
    )
    print(
        f"ratio academy/straight: {ratio:.2f} (target >= 0.33: "
        f"{'met' if ratio >= 1 / 3 else 'NOT met'})"
    )
    print(
        f"exactly once: {'yes' if once else 'NO'} ({len(keys):,} distinct keys at the sink, "
        f"max per key {max(keys.values(), default=0)}, log statuses {dict(statuses)})"
    )
    return 0 if once else 1


if __name__ == "__main__":
    sys.exit(main())
