"""The throwaway stack bench/faults.py runs its faults on: its own PostgreSQL and Redis, gunicorn,
a Celery worker, beat and the SMTP sink, each started and always stopped by this module."""

import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
# The repository first, and not bench/ itself (bench/reminders.py would shadow the app).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BASE_DIR))

LEARNER = ("learner@demo.gov", "academy-demo")
SANE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")


def log(message):
    print(message, flush=True)


def _bench_reminders():
    """bench/reminders.py as a module (its name would shadow the reminders app)."""
    spec = importlib.util.spec_from_file_location("bench_reminders", BENCH_DIR / "reminders.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_reminders = _bench_reminders()
free_port = bench_reminders._free_port


class Postgres:
    """A throwaway PostgreSQL cluster in `root`, on `port`; as root, run as the postgres user."""

    def __init__(self, root: Path, port: int, bin_dir: Path):
        self.dir = root / "pg"
        self.data = self.dir / "data"
        self.port = port
        self.bin = bin_dir
        self.dir.mkdir()
        self.as_user = []
        if os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command, check=True):
        return subprocess.run(
            [*self.as_user, str(self.bin / command[0]), *command[1:]],
            cwd=self.dir,
            check=check,
            capture_output=True,
            text=True,
        )

    def init(self):
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale",
        )  # fmt: skip

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.dir / "pg.log"),
                  "-o", options)  # fmt: skip

    def stop(self, mode="fast"):
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data), check=False)

    def running(self):
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class Redis:
    """redis-server on `port` without persistence: a restart starts empty."""

    def __init__(self, root: Path, port: int):
        self.dir = root / "redis"
        self.dir.mkdir()
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--logfile", str(self.dir / "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if self.client().ping():
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, db=0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5)


class Processes:
    """Every child process the script starts, each in its own session, stopped at the end."""

    def __init__(self):
        self.children = {}
        self.logs = []

    def start(self, name, command, env, log_path):
        handle = open(log_path, "a")  # noqa: SIM115 - closed in stop_all
        self.logs.append(handle)
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.children[name] = process
        return process

    def kill_group(self, process, sig):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)

    def stop_all(self):
        for process in self.children.values():
            if process.poll() is None:
                self.kill_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self.kill_group(process, signal.SIGKILL)  # whatever of the group is left
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for handle in self.logs:
            handle.close()


class Web:
    """HTTP to gunicorn as the TLS proxy would forward it (X-Forwarded-Proto: https)."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"

    def request(self, method, path, *, cookies=None, body=None, headers=None, timeout=15):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            set_cookies = {}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    set_cookies[key] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), content, set_cookies
        finally:
            connection.close()

    def get(self, path, cookies=None):
        try:
            status, headers, content, _ = self.request("GET", path, cookies=cookies)
        except (OSError, http.client.HTTPException) as error:
            return {"status": f"no answer ({type(error).__name__})", "headers": {}, "body": b""}
        return {"status": status, "headers": headers, "body": content}

    def sign_in(self, email, password):
        from urllib.parse import urlencode

        status, _, content, cookies = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or not token:
            raise RuntimeError(f"sign-in page answered {status}")
        form = urlencode(
            {"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        status, headers, _, more = self.request(
            "POST",
            "/accounts/login/",
            cookies=cookies,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{self.origin}/accounts/login/",
                "Origin": self.origin,
            },
        )
        cookies.update(more)
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"sign-in answered {status} {headers.get('Location')}")
        return cookies


def title(body: bytes) -> str:
    match = re.search(rb"<h1[^>]*>\s*(.*?)\s*</h1>", body, re.S) or re.search(
        rb"<title>\s*(.*?)\s*</title>", body, re.S
    )
    return (
        match.group(1).decode(errors="replace")[:80]
        if match
        else body[:80].decode(errors="replace")
    )


class Stack:
    """Everything running, in a temp dir; `cleanup` stops it all and removes the dir."""

    def __init__(self, args):
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="academy-faults-"))
        self.root.chmod(0o755)  # the postgres user must reach its directory
        self.processes = Processes()
        try:
            self.pg = Postgres(self.root, free_port(), Path(args.pg_bin))
            self.redis = Redis(self.root, free_port())
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        self.smtp_port = free_port()
        self.web = Web(free_port())
        self.sink_log = self.root / "sink.log"
        self.sink_offset = self.sink_total = 0
        self.worker_number = 0

    # -- environment and processes

    def environment(self):
        env = {k: v for k, v in os.environ.items() if k in SANE_ENV}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "academy.settings",
                "ACADEMY_ENV_FILE": str(self.root / "no.env"),  # not the repository's .env
                "ACADEMY_VAR_DIR": str(self.root / "var"),
                "DATABASE_URL": self.pg.url("academy"),
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis.port}/0",
                "CACHE_URL": f"redis://127.0.0.1:{self.redis.port}/1",
                "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
                "REMINDERS_SCAN_SECONDS": "5",
                "REMINDERS_STALE_SENDING_SECONDS": str(self.args.stale_seconds),
                "REMINDERS_REQUEUE_PENDING_SECONDS": str(self.args.requeue_seconds),
            }
        )
        return env

    def start_worker(self):
        self.worker_number += 1
        log_path = self.root / f"worker{self.worker_number}.log"
        handle = open(log_path, "a")  # noqa: SIM115 - closed with the others
        self.processes.logs.append(handle)
        process = bench_reminders.start_worker(self.env, self.args.concurrency, handle)
        self.processes.children[f"worker{self.worker_number}"] = process
        self.worker = process
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited: see {log_path}")
            if self.app.control.ping(timeout=1):
                return process
        raise RuntimeError("the worker did not answer a ping within 120 s")

    def start_services(self):
        log(f"temp dir {self.root}")
        self.pg.init()
        self.pg.start()
        import psycopg

        with psycopg.connect(self.pg.url("postgres"), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "academy"')
        self.redis.start()
        self.env = self.environment()
        os.environ.update(self.env)
        for name in ("ACADEMY_EMBEDDED", "CELERY_TASK_ALWAYS_EAGER", "CELERY_RESULT_BACKEND"):
            os.environ.pop(name, None)
        log(
            f"PostgreSQL {self.pg.port}, Redis {self.redis.port}, SMTP sink {self.smtp_port}, "
            f"gunicorn {self.web.port}"
        )

        import django

        django.setup()
        import academy.celery

        self.app = academy.celery.app
        started = time.perf_counter()
        bench_reminders.setup(self.args.learners)  # migrates, seeds people, courses, learners
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        log(f"database and static files ready in {time.perf_counter() - started:.1f}s")

        self.sink_log.write_text("")
        sink = self.processes.start(
            "sink",
            [sys.executable, str(BENCH_DIR / "smtp_sink.py"), "--port", str(self.smtp_port),
             "--out", str(self.sink_log), "--message-id"],
            self.env, self.root / "sink.out",
        )  # fmt: skip
        self.processes.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "academy.wsgi", "--workers", "2", "--threads", "4",
             "--bind", f"127.0.0.1:{self.web.port}", "--graceful-timeout", "30"],
            self.env, self.root / "gunicorn.log",
        )  # fmt: skip
        self.processes.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "academy", "beat", "-l", "warning",
             "--pidfile", str(self.root / "beat.pid"),
             "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
            self.env, self.root / "beat.log",
        )  # fmt: skip
        self.start_worker()
        self._wait(lambda: self.sink_log.exists() and sink.poll() is None, 10, "the sink")
        self._wait(lambda: self.web.get("/")["status"] == 200, 60, "gunicorn")
        self.sweep_every(self.args.sweep_seconds)
        self.cookies = self.web.sign_in(*LEARNER)
        page = self.web.get("/", self.cookies)
        if page["status"] != 200:
            raise RuntimeError(f"the signed-in home page answered {page['status']}")
        log(f"signed in as {LEARNER[0]}; home page: {title(page['body'])!r}")

    def sweep_every(self, seconds):
        """Beat runs the sweep; shorten its interval in the database, as an operator would in
        the admin (beat copies CELERY_BEAT_SCHEDULE there when it starts, so wait for that)."""
        from django_celery_beat.models import IntervalSchedule, PeriodicTask

        self._wait(lambda: PeriodicTask.objects.filter(name="reminders-sweep").exists(), 60, "beat")
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        task = PeriodicTask.objects.get(name="reminders-sweep")
        task.interval = interval
        task.save()  # signals beat that its schedule changed
        log(f"beat: reminders-sweep every {seconds}s (set in the database)")

    def _wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if condition():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{what} not ready after {timeout}s")

    # -- database reads that survive an outage

    def db(self, read, default=None):
        from django.db import InterfaceError, OperationalError, connection

        try:
            return read()
        except (OperationalError, InterfaceError):
            connection.close()
            return default

    def sink_lines(self):
        return self.sink_log.read_text().splitlines()

    def sink_count(self):
        """Messages the sink has received so far (reads only what was added since last time)."""
        with self.sink_log.open("rb") as handle:
            handle.seek(self.sink_offset)
            added = handle.read()
        complete = added.rfind(b"\n") + 1
        self.sink_offset += complete
        self.sink_total += added[:complete].count(b"\n")
        return self.sink_total

    def queued_tasks(self):
        """Tasks in the broker by name: waiting in the queue, and delivered but not acked."""
        broker = self.redis.client()
        names = Counter()
        for body in broker.lrange("celery", 0, -1):
            names[json.loads(body)["headers"]["task"].rsplit(".", 1)[-1]] += 1
        unacked = broker.hlen("unacked")
        broker.close()
        listed = ", ".join(f"{n} {name}" for name, n in names.most_common()) or "none"
        return f"queued: {listed}; delivered to the worker, not acked: {unacked}"

    def tails(self):
        for name in sorted(self.root.glob("*.log")):
            text = name.read_text(errors="replace").strip().splitlines()
            if text:
                log(f"\n--- last lines of {name.name}")
                log("\n".join(text[-15:]))

    def cleanup(self):
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        self.processes.stop_all()
        self.redis.stop()
        if self.pg.data.exists():
            self.pg.stop("immediate")
        if self.args.keep:
            log(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
