import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from academy.celery import ensure_filesystem_broker_folders
from academy.demo import DEMO_SIGN_INS


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        ensure_filesystem_broker_folders()
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "academy",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--hostname=embedded@%h",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "academy",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }
        processes = {
            name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()
        }
        self.stdout.write(
            self.style.SUCCESS(f"\nAcademy is running at http://{addr}/  (Ctrl-C stops it)")
        )
        for line in DEMO_SIGN_INS:
            self.stdout.write(line)
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [n for n, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting down the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping web server, worker and beat…")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()  # the main process stops its own children cleanly
            deadline = time.time() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
