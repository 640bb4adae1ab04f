"""Web throughput: requests per second of the project's pages against a bare Django view.

Run by hand on PostgreSQL with a Redis cache and production settings (DEBUG off), with Debian's
`wrk` as the load generator (`apt-get install wrk`):

    .venv/bin/python bench/web.py [--duration 10] [--connections 8] [--workers 2] [--threads 1]
                                  [--rounds 5]

It creates (or reuses) the database academy_bench_web with the demo data, starts two gunicorn
servers on loopback with the Procfile's `--config python:academy.gunicorn_conf` (the project,
and bench/bare_django.py: one view, no middleware), and runs wrk against each page in turn,
signed in as the demo learner, in rounds: in each round every page is loaded right after a load
of the bare view, and its share is taken against that one (this machine's speed drifts by a
quarter within minutes, and a single load of 10 s now and then comes out at half or twice its
neighbours). Prints each round's shares, then the median requests/s and share of each page, the
lowest and highest of its shares, the target, and the SQL queries each page costs (a second
request, as in steady state). Exits 1 if a page does not answer 200.
"""

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BASE_DIR))

VAR_DIR = Path(tempfile.gettempdir()) / "academy-bench-web"
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.web_settings",
    "ACADEMY_EMBEDDED": "0",
    "DJANGO_DEBUG": "false",
    "ACADEMY_VAR_DIR": str(VAR_DIR),
    "DATABASE_URL": os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/academy_bench_web"
    ),
    "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/12"),
    "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    "DJANGO_LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)
HEADERS = {"X-Forwarded-Proto": "https"}  # production settings redirect plain HTTP


def log(message):
    print(message, flush=True)


def create_database():
    name = SERVER_ENV["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, check=False
    )


def prepare():
    """Migrate, seed the demo once, collect static files; return the learner and the pages."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from agencies.models import Agency

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    if not Agency.objects.filter(slug="demo-agency").exists():
        log("Seeding the demo data (once)...")
        call_command("seed_demo", force=True, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache = settings.CACHES["default"]
    log(f"Database {settings.DATABASES['default']['NAME']}, cache {cache['BACKEND']}")
    return User.objects.get(email="learner@demo.gov")


def pages_for(learner):
    from django.urls import reverse

    from learning.models import Enrollment

    enrollment = (
        Enrollment.objects.filter(user=learner).exclude(last_lesson_key="").order_by("pk").first()
        or Enrollment.objects.filter(user=learner).order_by("pk").first()
    )
    if enrollment is None:
        sys.exit("The demo learner has no enrollment; run seed_demo on an empty database.")
    from learning.content import outline

    keys = list(outline(enrollment.version.snapshot).lessons)
    key = enrollment.last_lesson_key or keys[0]
    slug = enrollment.version.course.slug
    return [
        ("bare view behind the project's middleware", "/bench/bare/", 0.25),
        ("lesson page", reverse("learning:lesson", args=[slug, key]), 1 / 4),
        ("My learning", reverse("learning:my_learning"), 1 / 6),
        ("catalog", reverse("courses:catalog"), 1 / 6),
    ]


def signed_in_client(learner):
    from django.test import Client

    client = Client(**{"HTTP_X_FORWARDED_PROTO": "https"})
    client.force_login(learner)
    return client


def query_counts(client, pages):
    """Queries of each page on its second request (the first may store the session's keys)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for _name, url, _target in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code} to the test client")
        counts[url] = len(queries)
    return counts


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app, port, workers, threads, logfile):
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        app,
        "--config",  # the Procfile's (gc.freeze() once the worker has loaded the application)
        "python:academy.gunicorn_conf",
        "--chdir",
        str(BASE_DIR),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--error-logfile",
        str(logfile),
    ]
    return subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)


def wait_for(port, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not listen on port {port}")


def status_of(url, cookie):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={**HEADERS, "Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(url, cookie, *, duration, connections, threads=2):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in {**HEADERS, "Cookie": cookie}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output).group(1)
    return rate, int(errors.group(1)) if errors else 0, p50, p99


def row(name, rounds, target, queries):
    """A table row from a page's rounds: the median rate and share (each share against the
    bare view of its own round), and the latencies of the round with the median share."""
    middle = sorted(rounds, key=lambda r: r[1])[len(rounds) // 2]
    rate = statistics.median(r[0] for r in rounds)
    share = statistics.median(r[1] for r in rounds)
    spread = (
        "" if target is None else f"{min(r[1] for r in rounds):.3f}-{max(r[1] for r in rounds):.3f}"
    )
    return (name, rate, share, spread, target, queries, middle[2], middle[3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of (bare view, page) pairs, one per page; each share is against the bare "
        "view loaded just before the page, and the table shows the medians",
    )
    args = parser.parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("wrk is missing: apt-get install wrk")

    create_database()
    learner = prepare()
    pages = pages_for(learner)
    client = signed_in_client(learner)
    counts = query_counts(client, pages)
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())

    servers = []
    ports = {"bare": free_port(), "academy": free_port()}
    logfile = VAR_DIR / "gunicorn.log"
    try:
        for name, app in (("bare", "bench.bare_django:application"), ("academy", "academy.wsgi")):
            servers.append(start_gunicorn(app, ports[name], args.workers, args.threads, logfile))
        for port in ports.values():
            wait_for(port)
        log(
            f"gunicorn {args.workers} worker(s) x {args.threads} thread(s); wrk 2 threads, "
            f"{args.connections} connections, {args.duration} s per page after a 2 s warm-up"
        )
        bare_url = f"http://127.0.0.1:{ports['bare']}/"
        urls = {path: f"http://127.0.0.1:{ports['academy']}{path}" for _n, path, _t in pages}
        failed = False
        for name, path, _target in pages:
            status = status_of(urls[path], cookie)
            if status != 200:
                log(f"{name}: {urls[path]} answered {status}, not 200")
                failed = True
        if failed:
            sys.exit(1)
        measured = {key: [] for key in ["bare", *urls]}  # (rate, share, p50, p99) per round

        def load(url, cookie_header):
            wrk(url, cookie_header, duration=2, connections=args.connections)  # warm-up
            return wrk(url, cookie_header, duration=args.duration, connections=args.connections)

        for round_number in range(1, args.rounds + 1):
            shares, bare_rates = [], []
            for _name, path, _target in pages:
                bare_rate, errors, p50, p99 = load(bare_url, "")  # just before the page
                failed |= errors > 0
                measured["bare"].append((bare_rate, 1.0, p50, p99))
                rate, errors, p50, p99 = load(urls[path], cookie)
                failed |= errors > 0
                measured[path].append((rate, rate / bare_rate, p50, p99))
                shares.append(f"{rate / bare_rate:.3f}")
                bare_rates.append(f"{bare_rate:.0f}")
            log(
                f"round {round_number}: shares {' '.join(shares)} "
                f"(bare {'/'.join(bare_rates)} req/s)"
            )
        rows = [row("bare Django view (no middleware, baseline)", measured["bare"], None, "-")]
        rows += [row(name, measured[path], target, counts[path]) for name, path, target in pages]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)

    log("")
    log(
        f"{'page':<44} {'req/s':>8} {'share':>6} {'lowest-highest':>14} {'target':>7} "
        f"{'met':>4} {'queries':>7} {'p50':>8} {'p99':>8}"
    )
    for name, rate, share, spread, target, queries, p50, p99 in rows:
        met = "" if target is None else ("yes" if share >= target else "no")
        shown = "" if target is None else f">={target:.3f}"
        log(
            f"{name:<44} {rate:>8.0f} {share:>6.3f} {spread:>14} {shown:>7} {met:>4} "
            f"{queries!s:>7} {p50:>8} {p99:>8}"
        )
    if failed:
        log("Some requests failed (non-2xx/3xx or not 200): see above and " + str(logfile))
        sys.exit(1)


if __name__ == "__main__":
    main()
