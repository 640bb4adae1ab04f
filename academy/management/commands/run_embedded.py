"""The embedded run: web server, Celery worker and Celery beat in one command, stopped together.

Each child runs in a session of its own, so a terminal's Ctrl-C or hang-up reaches only this
process, which then stops the children: first SIGTERM to each (a worker finishes the tasks in
hand and stops its pool), then, after a grace period, SIGKILL to each child's whole process group
(a worker was seen hanging in warm shutdown, and a pool process may outlive its parent).
Ctrl-C, SIGTERM (a service manager, `kill`) and SIGHUP (a closed terminal) all stop everything, as
does the parent going away (`make` killed by a signal it does not pass on).
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from academy.celery import ensure_filesystem_broker_folders
from academy.demo import DEMO_SIGN_INS
from sso.demo import demo_provider_command

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10


class Stop(Exception):
    """Raised from a signal handler to leave the supervision loop."""


def _raise_stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


def _process_commands(addr: str) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "academy"]
    return {
        # Django's development server: the embedded run has DEBUG on and is for trying Academy
        # out; a pilot runs gunicorn (Procfile, docs/deploy.md).
        "web": [python, "manage.py", "runserver", addr, "--noreload"],
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--hostname=embedded@%h",
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(settings.VAR_DIR / "celerybeat-schedule"),
        ],
        # The demo's test identity provider (sso/demo.py): SSO Demo Agency signs in through it.
        "idp": demo_provider_command(python),
    }


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def stop_all(processes: dict[str, subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM each child (a worker then stops its own pool after the tasks in hand), wait up to
    `grace` seconds, then SIGKILL whatever is left in each child's process group."""
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        # Also any grandchild (a pool process) left in the group after its parent exited.
        _signal_group(process, signal.SIGKILL)
        process.wait()


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        ensure_filesystem_broker_folders()
        parent = os.getppid()
        previous = {signum: signal.signal(signum, _raise_stop) for signum in STOP_SIGNALS}
        processes: dict[str, subprocess.Popen] = {}
        try:
            for name, command in _process_commands(addr).items():
                processes[name] = subprocess.Popen(command, start_new_session=True)
            self._say(f"\nAcademy is running at http://{addr}/  (Ctrl-C stops it)")
            self._say("The web server is Django's development server (DEBUG on): for trying")
            self._say("Academy out on one machine; docs/deploy.md runs it under gunicorn.")
            for line in DEMO_SIGN_INS:
                self._say(line)
            while all(p.poll() is None for p in processes.values()):
                if os.getppid() != parent:
                    raise Stop("parent exited")
                time.sleep(0.5)
            stopped = [n for n, p in processes.items() if p.poll() is not None]
            self._say(f"{', '.join(stopped)} stopped; shutting down the rest.")
        except (Stop, KeyboardInterrupt) as reason:
            self._say(f"\nStopping web server, worker and beat ({reason or 'interrupt'})…")
        finally:
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
            stop_all(processes)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _say(self, line: str) -> None:
        """Write a line; after a hang-up the terminal may be gone, which must not stop the stop."""
        try:
            self.stdout.write(line)
            self.stdout.flush()
        except OSError:
            pass
