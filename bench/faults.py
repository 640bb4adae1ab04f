"""Faults while running: a worker killed mid-send, Redis restarted, PostgreSQL stopped.

    .venv/bin/python bench/faults.py                    # ~10,000 reminders per phase
    .venv/bin/python bench/faults.py --learners 2000    # quicker

Run by hand, as root or as any user that may run PostgreSQL's initdb (as root, the PostgreSQL
commands run as the `postgres` user). Nothing shared is touched: the script starts its OWN
throwaway PostgreSQL (initdb + pg_ctl in a temp dir, trust auth, a free port, fsync off) and
redis-server (no persistence: --save '' --appendonly no) on free ports, migrates, collects the
static files, seeds the demo agency with N bulk learners (bench/reminders.py's `setup`), and
starts, with production settings (DJANGO_DEBUG=false, Redis broker and cache, SMTP):
gunicorn (2 workers x 4 threads, as the Procfile), a Celery worker (prefork, 2 processes, as
bench/reminders.py), Celery beat (django-celery-beat's database scheduler) and the SMTP sink
(bench/smtp_sink.py, recording each message's reminder key and Message-ID).

Beat runs the scan every REMINDERS_SCAN_SECONDS (5 here) and the reminder sweep; the sweep's
interval is set in the database, as an operator would in the admin, to --sweep-seconds (15;
5 minutes in production), and its thresholds are shortened through their settings
(REMINDERS_STALE_SENDING_SECONDS --stale-seconds, REMINDERS_REQUEUE_PENDING_SECONDS
--requeue-seconds; 900 s and 300 s in production), so that what the sweep finds again is found
within a minute or two instead of 5 to 20 minutes.

Each phase assigns one course to the whole agency (due today: one reminder per person), waits
until a quarter of its reminders have reached the sink, and then:

1. kill -9 the worker (its whole process group) and start a new one;
2. stop Redis, wait --redis-down seconds, start it again empty (the queued tasks are lost);
3. stop PostgreSQL (pg_ctl -m fast), probe the web while it is down (503 page, Retry-After),
   start it again and time until the web answers 200 by itself (gunicorn is not restarted);

and waits until every reminder of the phase is sent. Checks: every reminder recorded once per
person and sent, every Message-ID received, a Message-ID never stands for two different
reminders, repeats (the same message handed over twice) only where a worker was killed between
the SMTP server's acceptance and the database commit, and the worker, beat and gunicorn
processes still running on their own. Prints a results table; exit status 1 if a check fails.
Every process and the temp dir are removed at the end, also on Ctrl-C (--keep keeps the dir
and its logs). The servers and processes live in bench/_faults_stack.py; results and what they
mean: docs/performance.md, "Faults".
"""

import argparse
import os
import signal
import sys
import time
from collections import Counter

from _faults_stack import LEARNER, Stack, log, title  # first: it puts the repository on sys.path

COURSES = ["genai-fundamentals", "effective-prompts", "checking-ai-output"]


class Interrupted(Exception):
    pass


def _raise_interrupted(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def date_today():
    from django.utils import timezone

    return timezone.localdate()


class Run(Stack):
    """The stack, the three faults, and the checks."""

    def __init__(self, args):
        super().__init__(args)
        self.results = []  # (phase, check, value, ok or None for a figure)

    # -- results

    def record(self, phase, check, value, ok=None):
        self.results.append((phase, check, value, ok))
        mark = "" if ok is None else (" [ok]" if ok else " [FAILED]")
        log(f"  {check}: {value}{mark}")

    # -- a phase

    def assign(self, slug):
        from django.utils import timezone

        from accounts.models import User
        from courses.models import Course
        from reminders import services
        from reminders.models import TargetKind

        assignment = services.assignment_create(
            actor=User.objects.get(email="agencyadmin@demo.gov"),
            course=Course.objects.get(slug=slug),
            target=TargetKind.AGENCY,
            due_on=timezone.localdate(),
            required=True,
        )  # the worker materialises it; beat's scan records and enqueues the reminders
        return assignment

    def phase_logs(self, slug):
        from reminders.models import ReminderLog

        return ReminderLog.objects.filter(enrollment__course__slug=slug)

    def states(self, slug):
        """The phase's log rows by status, as a short text."""
        counts = self.db(
            lambda: Counter(self.phase_logs(slug).values_list("status", flat=True)), Counter()
        )
        return ", ".join(f"{counts[s]:,} {s}" for s in ("sent", "sending", "pending") if counts[s])

    def wait_for_share(self, phase, slug, start_line, share):
        """Until `share` of the phase's reminders reached the sink (the fault goes in then)."""
        from agencies.models import Membership

        people = Membership.objects.filter(agency__slug="demo-agency", is_active=True).count()
        target = max(1, int(people * share))
        assigned = time.monotonic()
        deadline = assigned + self.args.timeout
        first = None
        while (received := self.sink_count() - start_line) < target:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{phase}: fewer than {target} reminders reached the sink")
            if received and first is None:
                first = time.monotonic()
            time.sleep(0.05)
        now = time.monotonic()
        first = first or now
        self.record(
            phase,
            "before the fault (the baseline of this run)",
            f"first message {first - assigned:.1f}s after the assignment, then {received:,} in "
            f"{now - first:.1f}s = {received / max(now - first, 0.001):,.0f}/s",
        )
        return people

    def wait_until_sent(self, phase, slug):
        from django.utils.timezone import now as time_now

        from reminders.models import Assignee, Assignment, LogStatus, MaterialiseStatus

        self.rate = "no message"

        def unfinished():
            assignment = Assignment.objects.get(course__slug=slug)
            if assignment.status != MaterialiseStatus.DONE:
                return "materialising"
            if Assignee.objects.filter(
                assignment=assignment, is_active=True, next_remind_at__lte=time_now()
            ).exists():
                return "scanning"
            open_rows = (
                self.phase_logs(slug)
                .exclude(status__in=[LogStatus.SENT, LogStatus.FAILED, LogStatus.SKIPPED])
                .count()
            )
            return f"{open_rows:,} not sent" if open_rows else ""

        started = time.monotonic()
        deadline = started + self.args.timeout
        state, shown = "?", None
        before, first = self.sink_count(), None
        while time.monotonic() < deadline:
            state = self.db(unfinished, default="database unreachable")
            if first is None and self.sink_count() > before:
                first = time.monotonic()
            if state == "":
                took = time.monotonic() - started
                if first is not None:
                    flowing = max(time.monotonic() - first, 0.001)
                    received = self.sink_count() - before
                    self.rate = f"{received:,} messages, {received / flowing:,.0f}/s once flowing"
                time.sleep(2)  # a late repeat would arrive now
                return took
            if shown is None or time.monotonic() - shown >= 10:  # a timeline, not in the table
                log(f"    {time.monotonic() - started:5.1f}s: {state}")
                shown = time.monotonic()
            time.sleep(0.5)
        self.record(phase, "all sent within the timeout", f"no: {state}", False)
        return None

    def check_delivery(self, phase, slug, allowed_repeats, repeats_reason):
        from reminders.models import Assignee, LogStatus
        from reminders.services.messages import reminder_message_id

        logs = list(self.phase_logs(slug))
        people = Assignee.objects.filter(assignment__course__slug=slug, is_active=True).count()
        statuses = Counter(log.status for log in logs)
        expected = {reminder_message_id(log): log.key for log in logs}
        received = Counter()
        keys_per_id = {}
        for line in self.sink_lines():
            key, _, message_id = line.partition(" ")
            if message_id in expected:
                received[message_id] += 1
                keys_per_id.setdefault(message_id, set()).add(key)
        missing = len(set(expected) - set(received))
        repeats = sum(received.values()) - len(received)
        mixed = sum(1 for mid, keys in keys_per_id.items() if keys != {expected[mid]})
        self.record(
            phase,
            "reminders recorded (one per person assigned)",
            f"{len(logs):,} for {people:,} people",
            len(logs) == people and len({log.key for log in logs}) == len(logs),
        )
        self.record(
            phase,
            "log rows sent",
            ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())),
            statuses == Counter({LogStatus.SENT: len(logs)}),
        )
        self.record(
            phase,
            "delivered (distinct Message-IDs at the sink / expected)",
            f"{len(received):,} / {len(expected):,}, missing {missing}",
            missing == 0 and len(logs) > 0,
        )
        self.record(
            phase,
            "a Message-ID never carries another reminder",
            "yes" if not mixed else f"NO: {mixed}",
            mixed == 0,
        )
        self.record(
            phase,
            f"repeats, same Message-ID ({repeats_reason})",
            f"{repeats:,} (allowed {allowed_repeats:,})",
            repeats <= allowed_repeats,
        )
        return received

    def alive(self, phase, names):
        gone = [n for n in names if self.processes.children[n].poll() is not None]
        self.record(
            phase,
            "still running, never restarted: " + ", ".join(names),
            "yes" if not gone else f"NO: {', '.join(gone)} exited",
            not gone,
        )

    def phase_worker_kill(self):
        phase, slug = "1 worker kill", COURSES[0]
        log(f"\n== {phase}: kill -9 the worker mid-send ({slug})")
        start_line = self.sink_count()
        self.assign(slug)
        self.wait_for_share(phase, slug, start_line, self.args.fault_at)
        old = self.worker
        self.processes.kill_group(old, signal.SIGKILL)
        old.wait(timeout=10)
        at_kill = self.sink_count() - start_line
        self.record(phase, "at the kill", f"{at_kill:,} received; rows {self.states(slug)}")
        self.record(phase, "tasks in Redis", self.queued_tasks())
        self.start_worker()
        took = self.wait_until_sent(phase, slug)
        if took is not None:
            self.record(
                phase, "all sent after the new worker started", f"{took:.1f}s ({self.rate})"
            )
        from reminders import conf

        in_flight = self.args.concurrency * conf.chunk_size()  # what a killed worker was sending
        self.check_delivery(
            phase, slug, in_flight, "handed over before the kill, unrecorded; <= 2 chunks"
        )
        self.alive(phase, ["gunicorn", "beat"])

    def phase_redis_restart(self):
        phase, slug = "2 Redis restart", COURSES[1]
        log(f"\n== {phase}: stop Redis mid-send, start it again empty ({slug})")
        start_line = self.sink_count()
        self.assign(slug)
        self.wait_for_share(phase, slug, start_line, self.args.fault_at)
        tasks = self.queued_tasks()
        self.redis.stop()
        stopped = time.monotonic()
        self.record(phase, "tasks in Redis when it stopped (lost with it)", tasks)
        seen = {}
        while time.monotonic() - stopped < self.args.redis_down:
            for name, cookies in (("signed-in /", self.cookies), ("anonymous /", None)):
                seen.setdefault(name, Counter())[str(self.web.get("/", cookies)["status"])] += 1
            time.sleep(1)
        self.record(
            phase,
            "web while Redis (broker and cache) is down",
            "; ".join(f"{name} {dict(c)}" for name, c in seen.items()),
        )
        self.redis.start()
        keys = self.redis.client().dbsize()
        self.record(phase, "Redis back empty (no persistence)", f"{keys} keys", keys == 0)
        self.record(
            phase, "rows when Redis came back (found again by the sweep)", self.states(slug)
        )
        took = self.wait_until_sent(phase, slug)
        if took is not None:
            self.record(phase, "all sent after Redis came back", f"{took:.1f}s ({self.rate})")
        self.check_delivery(phase, slug, 0, "none allowed")
        self.alive(phase, ["gunicorn", "beat", f"worker{self.worker_number}"])

    def phase_postgres_stop(self):
        phase, slug = "3 PostgreSQL stop", COURSES[2]
        log(f"\n== {phase}: stop PostgreSQL mid-send, probe the web, start it ({slug})")
        start_line = self.sink_count()
        self.assign(slug)
        self.wait_for_share(phase, slug, start_line, self.args.fault_at)
        clock = time.monotonic()
        self.pg.stop(self.args.pg_stop_mode)
        self.record(
            phase, f"pg_ctl stop -m {self.args.pg_stop_mode}", f"{time.monotonic() - clock:.1f}s"
        )
        from django.db import connection

        connection.close()
        stopped = time.monotonic()
        at_stop = self.sink_count() - start_line
        seen = {}
        while time.monotonic() - stopped < self.args.pg_down:
            for name, path, cookies in (
                ("signed-in /", "/", self.cookies),
                ("anonymous /", "/", None),
                ("sign-in page", "/accounts/login/", None),
                ("/healthz", "/healthz", None),
            ):
                answer = self.web.get(path, cookies)
                seen.setdefault(name, Counter())[str(answer["status"])] += 1
                if name == "signed-in /" and "down" not in seen:
                    seen["down"] = answer
            time.sleep(0.5)
        during = self.sink_count() - start_line - at_stop
        down = seen.pop("down")
        self.record(
            phase,
            "signed-in home page while the database is down",
            f"{down['status']}, Retry-After: {down['headers'].get('Retry-After')}, "
            f"{title(down['body'])!r}",
            down["status"] == 503
            and down["headers"].get("Retry-After") == "30"
            and b"briefly unavailable" in down["body"],
        )
        self.record(
            phase,
            f"all answers during {self.args.pg_down}s down",
            "; ".join(f"{name} {dict(c)}" for name, c in seen.items()),
            not any(code.startswith("5") and code != "503" for c in seen.values() for code in c),
        )
        self.record(phase, "messages the sink took while the database was down", f"{during:,}")
        clock = time.monotonic()
        self.pg.start()
        up = time.monotonic()
        self.record(phase, "pg_ctl start", f"{up - clock:.1f}s")
        self.record(phase, "rows when PostgreSQL came back", self.states(slug))
        recovered = None
        while time.monotonic() - up < 60:
            if self.web.get("/", self.cookies)["status"] == 200:
                recovered = time.monotonic() - up
                break
            time.sleep(0.1)
        self.record(
            phase,
            "signed-in home page 200 again after PostgreSQL accepted connections",
            "never (60s)" if recovered is None else f"{recovered:.2f}s",
            recovered is not None and recovered <= self.args.recover_within,
        )
        before = self.sink_count()
        resumed = None
        while time.monotonic() - up < self.args.timeout:
            if self.sink_count() > before:
                resumed = time.monotonic() - up
                break
            if not self.db(lambda: self.phase_logs(slug).exclude(status="sent").exists(), True):
                break
            time.sleep(0.1)
        self.record(
            phase,
            "reminders flowing again after PostgreSQL was back",
            "nothing left to send" if resumed is None else f"{resumed:.1f}s",
        )
        took = self.wait_until_sent(phase, slug)
        if took is not None:
            self.record(phase, "all sent after PostgreSQL came back", f"{took:.1f}s ({self.rate})")
        self.check_delivery(phase, slug, 0, "none allowed")
        self.alive(phase, ["gunicorn", "beat", f"worker{self.worker_number}"])

    def after_the_faults(self):
        """One more assignment, to one person: beat's scan, the worker and the sink still
        work together after every fault, untouched."""
        phase, slug = "after", "protecting-sensitive-information"
        log(f"\n== {phase}: a new assignment after the faults ({slug})")
        from accounts.models import User
        from courses.models import Course
        from reminders import services
        from reminders.models import LogStatus, TargetKind

        started = time.monotonic()
        services.assignment_create(
            actor=User.objects.get(email="agencyadmin@demo.gov"),
            course=Course.objects.get(slug=slug),
            target=TargetKind.PEOPLE,
            people=[User.objects.get(email=LEARNER[0])],
            due_on=date_today(),
            required=True,
        )
        took = None
        while time.monotonic() - started < 120:
            if self.phase_logs(slug).filter(status=LogStatus.SENT).exists():
                took = time.monotonic() - started
                break
            time.sleep(0.2)
        self.record(
            phase,
            "its reminder sent by beat's scan and the worker",
            "not within 120s" if took is None else f"in {took:.1f}s",
            took is not None,
        )
        self.alive(phase, ["gunicorn", "beat", f"worker{self.worker_number}", "sink"])

    # -- the end

    def table(self):
        log("\n| phase | check | result | ok |\n|---|---|---|---|")
        for phase, check, value, ok in self.results:
            mark = "" if ok is None else ("yes" if ok else "**NO**")
            log(f"| {phase} | {check} | {value} | {mark} |")
        failed = [r for r in self.results if r[3] is False]
        log(f"\n{len(failed)} check(s) failed" if failed else "\nevery check passed")
        return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--fault-at", type=float, default=0.25, help="share sent before a fault")
    parser.add_argument("--sweep-seconds", type=int, default=15)
    parser.add_argument("--stale-seconds", type=int, default=60)
    parser.add_argument("--requeue-seconds", type=int, default=30)
    parser.add_argument("--redis-down", type=float, default=5)
    parser.add_argument("--pg-down", type=float, default=10)
    parser.add_argument("--pg-stop-mode", choices=["smart", "fast", "immediate"], default="fast")
    parser.add_argument("--recover-within", type=float, default=10, help="seconds, web 200 again")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per phase")
    parser.add_argument("--pg-bin", default="/usr/lib/postgresql/15/bin")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and its logs")
    args = parser.parse_args()

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupted)
    run = Run(args)
    status = 1
    started = time.perf_counter()
    log(f"load average at the start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    try:
        run.start_services()
        run.phase_worker_kill()
        run.phase_redis_restart()
        run.phase_postgres_stop()
        run.after_the_faults()
        status = run.table()
        if status:
            run.tails()
    except (KeyboardInterrupt, Interrupted) as stop:
        log(f"\ninterrupted ({str(stop) or 'SIGINT'}): cleaning up")
        status = 130
    except Exception:
        import traceback

        traceback.print_exc()
        run.table()
        run.tails()
    finally:
        run.cleanup()
    log(f"load average at the end: {os.getloadavg()[0]:.2f}; run took "
        f"{time.perf_counter() - started:.0f}s")  # fmt: skip
    return status


if __name__ == "__main__":
    sys.exit(main())
