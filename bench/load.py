"""Many learners at once: a locust load test against gunicorn and PostgreSQL on loopback.

    .venv/bin/python bench/load.py [--users 200] [--run-time 3m] [--spawn-rate 2]

What it does, in order:
1. the database (DATABASE_URL, default academy_bench_load on 127.0.0.1, created if missing)
   is migrated and, the first time, given the demo world (`seed_demo`); then 200 (--users)
   new learner accounts (bulkNNNNNNN@demo.gov, numbered after those of earlier runs, password
   ACADEMY_DEMO_PASSWORD, no MFA): every other one assigned a course by the agency admin, a
   quarter of them with that course's lessons read on an earlier day (they resume at its
   quiz), the others to find a course in the catalog; every run starts from learners who
   have never signed in;
2. the nightly recompute compares the dashboard aggregates with the enrollments, without
   repairing; drift found before the run (from seeding) is reported and repaired, so that the
   check after the run sees only what the load test wrote;
3. collectstatic (WhiteNoise's compressed manifest) into the work directory, skipped when it
   is newer than every static source file;
4. gunicorn as in the Procfile (2 workers x 4 threads) with production settings: DEBUG off,
   a random DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS=127.0.0.1, a Redis cache (database 13,
   emptied before and after), on a free loopback port; the clients send X-Forwarded-Proto:
   https as the TLS proxy in front of it would;
5. locust headless (bench/locustfile.py): --users learners, --spawn-rate a second, for
   --run-time; each learner signs in and works through courses (see the locustfile);
6. gunicorn is stopped (SIGTERM, graceful; also on Ctrl-C), then the checks: no 5xx response
   (client and gunicorn's access log), no failed request, and the database against what the
   clients were told: every enrollment, lesson done, quiz attempt (score, result, answers) and
   completion confirmed to a client exists exactly once, nothing else was written, attempt
   limits held, one certificate per completion, one learning event per step, and the
   aggregates equal a recompute from the enrollments. A request whose kept-alive connection
   the server reset as it left is sent again once, as a browser does, and counted.

Prints p50/p95 per request type and in total, as the client measured them (locust, each
redirect its own request) and as gunicorn did (its access log), request counts and failures;
exit status 1 if any check fails. Nothing here is timed against a threshold: the figures go to
docs/performance.md with the machine they were measured on.
"""

import argparse
import datetime
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from _load_database import (  # noqa: I001 (before _setup)
    Checks,
    answer_key,
    check_database,
    drift_before_run,
    learner_state,
    prepare_data,
    sample,
)
from _routes import ROUTES, route_name

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/academy_bench_load"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated learners")
    parser.add_argument("--spawn-rate", type=float, default=2, help="learners started a second")
    parser.add_argument("--run-time", default="3m", help="locust's --run-time (180s, 3m, ...)")
    parser.add_argument("--think", default="2,8", help="seconds between pages, min,max")
    parser.add_argument("--right-rate", type=float, default=0.8, help="share of right answers")
    parser.add_argument("--double-click", type=float, default=0.05, help="share of double posts")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--seed", type=int, default=1, help="seed of the learners' choices")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--work-dir",
        default="/tmp/academy_bench_load",
        help="static files, logs, journal (kept: collectstatic is skipped when up to date)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    return parser.parse_args()


def log(message=""):
    print(message, flush=True)


# --- the database, before Django -------------------------------------------------------------


def ensure_database(url: str, fresh: bool) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"Created database {name}.")


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args, work_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ACADEMY_EMBEDDED", "DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CACHE_URL=args.cache_url,
        ACADEMY_VAR_DIR=str(work_dir),
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def collect_static(env: dict, work_dir: Path) -> None:
    manifest = work_dir / "static" / "staticfiles.json"
    sources = [REPO / "static", REPO / "node_modules" / "@uswds" / "uswds" / "dist"]
    newest = max(p.stat().st_mtime for root in sources for p in root.rglob("*") if p.is_file())
    if manifest.exists() and manifest.stat().st_mtime > newest:
        log("Static files: up to date in the work directory.")
        return
    clock = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    log(f"Static files collected in {time.perf_counter() - clock:.1f} s.")


class Gunicorn:
    def __init__(self, args, env: dict, work_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = work_dir / "access.log"
        self.error_log = work_dir / "gunicorn.log"
        for path in (self.access_log, self.error_log):
            path.unlink(missing_ok=True)
        for folder in ("broker/queue", "broker/processed", "broker/control", "media"):
            (work_dir / folder).mkdir(parents=True, exist_ok=True)
        self.command = [
            str(VENV_BIN / "gunicorn"),
            "academy.wsgi",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "30",
            # The clients play the TLS proxy (X-Forwarded-Proto) from 127.1.x.y addresses.
            "--forwarded-allow-ips",
            "127.0.0.0/8",
            "--no-control-socket",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(h)s %(m)s %(U)s %(s)s %(D)s",
            "--error-logfile",
            str(self.error_log),
        ]
        self.env = env
        self.process = None

    def start(self) -> None:
        # A session of its own: Ctrl-C reaches this script only, which stops it in order.
        self.process = subprocess.Popen(
            self.command, cwd=REPO, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited at start; see {self.error_log}")
            try:
                request = urllib.request.Request(
                    f"{self.url}/healthz", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        sys.exit("gunicorn did not answer /healthz within 60 s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the master and its workers so far, from /proc."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that ended meanwhile
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.process.pid in (pid, ppid):
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def stop(self) -> str:
        """SIGTERM (graceful), SIGKILL to its process group after the grace period."""
        if self.process is None or self.process.returncode is not None:
            return "not running"
        clock = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                return (
                    f"stopped by SIGTERM in {time.perf_counter() - clock:.1f} s, "
                    f"exit status {self.process.returncode}"
                )
            time.sleep(0.2)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return "did not stop within 40 s of SIGTERM: killed"


def run_locust(args, url: str, work_dir: Path, plan: dict) -> tuple[dict, float, object]:
    paths = {name: work_dir / f"{name}.json" for name in ("plan", "summary")}
    paths["journal"] = work_dir / "journal.jsonl"
    paths["log"] = work_dir / "locust.log"
    paths["plan"].write_text(json.dumps(plan), encoding="utf-8")
    paths["journal"].write_text("", encoding="utf-8")
    paths["summary"].unlink(missing_ok=True)
    env = {
        **os.environ,
        "LOAD_PLAN": str(paths["plan"]),
        "LOAD_JOURNAL": str(paths["journal"]),
        "LOAD_SUMMARY": str(paths["summary"]),
    }
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(BENCH_DIR / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--host",
        url,
        # A learner stopping at the end finishes what it is doing (its request and the
        # redirects), so that no confirmed step is cut in half.
        "--stop-timeout",
        "60",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    clock = time.perf_counter()
    with open(paths["log"], "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=BENCH_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        except BaseException:
            process.send_signal(signal.SIGINT)  # locust stops its users and writes its files
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            raise
    elapsed = time.perf_counter() - clock
    if not paths["summary"].exists():
        sys.exit(f"locust wrote no summary (exit {process.returncode}); see {paths['log']}")
    summary = json.loads(paths["summary"].read_text(encoding="utf-8"))
    journal = [
        json.loads(line) for line in paths["journal"].read_text(encoding="utf-8").splitlines()
    ]
    return {"summary": summary, "journal": journal, "usage": usage}, elapsed, process.returncode


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 10 s while the test runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(10):
            self.samples.append(os.getloadavg()[0])


def flush_cache(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list, share: float):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def server_times(access_log: Path) -> dict:
    """{request type: {"times": [ms], "status": Counter}} from gunicorn's access log, for the
    learners' requests (from 127.1.x.y; not this script's /healthz probe)."""
    out = defaultdict(lambda: {"times": [], "status": Counter()})
    for line in access_log.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 5:
            continue
        host, method, path, status, micros = parts
        if not host.startswith("127.1."):
            continue
        entry = out[f"{method} {route_name(path)}"]
        entry["times"].append(int(micros) / 1000)
        entry["status"][int(status)] += 1
    return out


def print_figures(client: dict, server: dict, elapsed: float) -> dict:
    def ms(value):
        return "-" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    rows, all_client, all_server = [], [], []
    failures_total = 0
    order = [label for _pattern, label in ROUTES]

    def flow(name):
        method, label = name.split(" ", 1)
        return (order.index(label) if label in order else len(order), method)

    for name in sorted(set(client) | set(server), key=flow):
        c = client.get(name, {"times": [], "status": {}})
        s = server.get(name, {"times": [], "status": Counter()})
        ok_codes = {"200", "302"}
        failures = sum(n for code, n in c["status"].items() if code not in ok_codes)
        failures_total += failures
        all_client += c["times"]
        all_server += s["times"]
        rows.append(
            (
                name,
                len(c["times"]),
                failures,
                percentile(c["times"], 0.5),
                percentile(c["times"], 0.95),
                percentile(s["times"], 0.5),
                percentile(s["times"], 0.95),
            )
        )
    rows.append(
        (
            "total",
            len(all_client),
            failures_total,
            percentile(all_client, 0.5),
            percentile(all_client, 0.95),
            percentile(all_server, 0.5),
            percentile(all_server, 0.95),
        )
    )
    log()
    log("                         ---- client (locust) ----   -- server (gunicorn) --")
    log(f"{'request type':<22} {'count':>7} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8}  "
        f"{'p50 ms':>8} {'p95 ms':>8}")  # fmt: skip
    for name, count, fail, cp50, cp95, sp50, sp95 in rows:
        log(
            f"{name:<22} {count:>7,} {fail:>5} {ms(cp50):>8} {ms(cp95):>8}  "
            f"{ms(sp50):>8} {ms(sp95):>8}"
        )
    log(f"{len(all_client):,} requests in {elapsed:.0f} s = {len(all_client) / elapsed:.1f}/s")
    return {"requests": len(all_client), "failures": failures_total}


# --- main ------------------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) / 2**20
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM"


def main():
    args = parse_args()
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url, args.fresh)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["ACADEMY_VAR_DIR"] = str(work_dir)
    # Seeding's assignment is materialised here and now; no task file is left for a worker.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import _setup  # noqa: F401, I001 (Django, on this database)
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    started = datetime.datetime.now(datetime.UTC)
    revision = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    log(f"{started:%Y-%m-%d %H:%M} UTC; {machine()}; load average {os.getloadavg()[0]:.2f}")
    log(
        f"PostgreSQL {pg_version}, Python {platform.python_version()}, Django "
        f"{django.get_version()}; gunicorn {args.workers} workers x {args.threads} threads; "
        f"{args.users} learners, {args.spawn_rate}/s, {args.run_time}, think {args.think} s; "
        f"code {revision or 'unknown'}"
    )
    data = prepare_data(args.users)
    before = learner_state(data["learners"])
    drift_before_run()
    think = [float(x) for x in args.think.split(",")]
    plan = {
        **data,
        "answers": answer_key(),
        "think": think,
        "right_rate": args.right_rate,
        "double_click": args.double_click,
        "seed": args.seed,
    }
    env = server_env(args, work_dir)
    collect_static(env, work_dir)
    connection.close()

    flush_cache(args.cache_url)
    server = Gunicorn(args, env, work_dir)
    sampler = LoadSampler()
    interrupted = False
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.start()
        log(f"gunicorn at {server.url} (pid {server.process.pid}); locust starting.")
        sampler.start()
        outcome, elapsed, locust_status = run_locust(args, server.url, work_dir, plan)
        server_cpu = server.cpu_seconds()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sampler.done.set()
        stopped = server.stop()
        signal.signal(signal.SIGTERM, previous)
        flush_cache(args.cache_url)
        log(f"gunicorn {stopped}.")
    if interrupted:
        log("Interrupted: no checks.")
        raise SystemExit(130)

    client = outcome["summary"]["requests"]
    server_stats = server_times(server.access_log)
    figures = print_figures(client, server_stats, elapsed)
    loads = sampler.samples or [os.getloadavg()[0]]
    usage = outcome["usage"]
    log(
        f"Load average during the run: mean {sum(loads) / len(loads):.2f}, max {max(loads):.2f} "
        f"({len(loads)} samples); CPU time over the run: gunicorn {server_cpu:.0f} s, locust "
        f"{usage.ru_utime + usage.ru_stime:.0f} s, of {os.cpu_count() * elapsed:.0f} core-seconds"
    )
    retries = outcome["summary"]["retries"]
    log(
        f"Requests sent again on a fresh connection after a kept-alive one was reset (as a "
        f"browser does): {sum(retries.values())}"
        + (f" ({sample(f'{k} x{n}' for k, n in retries.items())})" if retries else "")
    )
    told = Counter(r["t"] for r in outcome["journal"])
    signed_in = {r["user"] for r in outcome["journal"] if r["t"] == "sign_in"}
    log(f"Learners signed in before the run ended: {len(signed_in)} of {args.users}")
    log(
        "Journal of the learners: "
        + ", ".join(f"{n:,} {kind}" for kind, n in sorted(told.items()))
        + f" (locust exit status {locust_status})"
    )
    unanswered = Counter(
        route_name(r["action"]) for r in outcome["journal"] if r["t"] == "no_answer"
    )
    log(
        f"Form posts left without an answer (an error, or a learner still waiting when locust "
        f"stopped it at the end): {sum(unanswered.values())}"
        + (f" ({sample((f'{k} x{n}' for k, n in unanswered.items()), 20)})" if unanswered else "")
    )

    check = Checks()
    client_5xx = sum(
        n for entry in client.values() for code, n in entry["status"].items() if int(code) >= 500
    )
    server_5xx = sum(n for e in server_stats.values() for s, n in e["status"].items() if s >= 500)
    errors = server.error_log.read_text(encoding="utf-8", errors="replace")
    check(
        "no server error: 5xx responses seen by the clients / in gunicorn's access log",
        client_5xx == 0 and server_5xx == 0,
        f"{client_5xx} / {server_5xx}",
    )
    alarms = [line for line in errors.splitlines() if "[ERROR]" in line or "[CRITICAL]" in line]
    check(
        "no traceback, error or worker timeout in gunicorn's error log",
        "Traceback" not in errors and not alarms,
        f"{errors.count('Traceback')} tracebacks, {sample(alarms, 3)} in {server.error_log}",
    )
    failures = Counter(
        f"{name} {code}"
        for name, entry in client.items()
        for code, n in entry["status"].items()
        for _ in range(n)
        if code not in ("200", "302")
    )
    check(
        "no failed request (an unexpected status or a connection error)",
        figures["failures"] == 0,
        sample(f"{k} x{n}" for k, n in failures.items()),
    )
    user_errors = outcome["summary"]["user_errors"]
    check(
        "no exception in a simulated learner (every page it got could be read)",
        not user_errors,
        sample(f"{k} x{n}" for k, n in user_errors.items()),
    )
    check_database(check, data["learners"], before, outcome["journal"])
    ok = check.print()
    log(f"Work directory (logs, journal): {work_dir}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
