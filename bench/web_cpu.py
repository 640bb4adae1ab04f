"""CPU per request of the project's pages, measured in-process: a figure that holds on a busy
machine, where wall-clock requests/s (bench/web.py) is depressed by whatever else runs.

Run by hand on PostgreSQL with production settings (DEBUG off, Django's cached template loader,
`cached_db` sessions on a Redis cache, signed in as the demo learner):

    .venv/bin/python bench/web_cpu.py [--requests 200] [--rounds 7] [--cache redis|locmem]
                                      [--profile lesson|my|catalog|middleware|bare]

It creates (or reuses) the database academy_web12 (DATABASE_URL overrides it) with the demo
data, then calls the project's WSGI application directly (as gunicorn does, without the test
client's instrumentation) for each page in turn, round after round, the pages interleaved so a
change of load hits them all alike. For each page it prints the CPU time of this process per
request (`time.process_time()`, the median of the rounds), the wall time per request, the SQL
queries of one request, and the ratio of the page's CPU to the bare view's: on a CPU-bound
server the page's share of the bare view's requests/s is roughly the inverse of that ratio.
PostgreSQL's and Redis's own CPU is not counted (they run in other processes). No assertions.

`--profile PAGE` runs cProfile over the requests of that page and prints the 40 costliest
functions (cumulative), to see where the time goes.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BASE_DIR))

VAR_DIR = Path(tempfile.gettempdir()) / "academy-bench-web-cpu"
HOST = "127.0.0.1"


def configure(cache: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.web_settings",
            "ACADEMY_EMBEDDED": "0",
            "DJANGO_DEBUG": "false",
            "ACADEMY_VAR_DIR": str(VAR_DIR),
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/academy_web12"
            ),
            "CACHE_URL": "locmemcache://"
            if cache == "locmem"
            else os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/11"),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11"),
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )


def prepare():
    """Create and migrate the database, seed the demo once, collect the static files (the
    manifest storage needs them); return the demo learner."""
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", HOST, "-U", "postgres", name], capture_output=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from agencies.models import Agency

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    if not Agency.objects.filter(slug="demo-agency").exists():
        print("Seeding the demo data (once)...", flush=True)
        call_command("seed_demo", force=True, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    loaders = settings.TEMPLATES[0]["OPTIONS"].get("loaders") or "default (cached when DEBUG off)"
    print(
        f"Database {settings.DATABASES['default']['NAME']}, cache "
        f"{settings.CACHES['default']['BACKEND']}, sessions {settings.SESSION_ENGINE}, "
        f"DEBUG {settings.DEBUG}, template loaders {loaders}",
        flush=True,
    )
    return User.objects.get(email="learner@demo.gov")


def pages_for(learner) -> list[tuple[str, str, str]]:
    from django.urls import reverse

    from learning.content import outline
    from learning.models import Enrollment

    enrollment = (
        Enrollment.objects.filter(user=learner).exclude(last_lesson_key="").order_by("pk").first()
        or Enrollment.objects.filter(user=learner).order_by("pk").first()
    )
    keys = list(outline(enrollment.version.snapshot).lessons)
    key = enrollment.last_lesson_key or keys[0]
    slug = enrollment.version.course.slug
    return [
        ("bare", "bare view, no middleware (baseline)", "/bench/bare/"),
        ("middleware", "bare view behind the project's middleware", "/bench/bare/"),
        ("lesson", "lesson page", reverse("learning:lesson", args=[slug, key])),
        ("my", "My learning", reverse("learning:my_learning")),
        ("catalog", "catalog", reverse("courses:catalog")),
    ]


def session_cookie(learner) -> str:
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(learner)
    return "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())


class Caller:
    """Calls a WSGI application the way a server would, and drains the response."""

    def __init__(self, application, cookie: str):
        self.application = application
        self.cookie = cookie

    def __call__(self, path: str) -> str:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": HOST,
            "HTTP_HOST": HOST,
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_ACCEPT_LANGUAGE": "en",
            "HTTP_COOKIE": self.cookie,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        response = self.application(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            for _chunk in response:
                pass
        finally:
            response.close()  # request_finished: what gunicorn triggers after each request
        return status[0]


def applications():
    """The project's WSGI handler (academy.wsgi's), and Django's built with no middleware at all
    (the baseline, as bench/bare_django.py)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from academy.handlers import WSGIHandler as ProjectHandler

    project = ProjectHandler()
    with override_settings(MIDDLEWARE=[]):
        bare = WSGIHandler()  # loads its (empty) middleware chain now
    return bare, project


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cache", choices=["redis", "locmem"], default="redis")
    parser.add_argument("--profile", choices=["bare", "middleware", "lesson", "my", "catalog"])
    parser.add_argument("--only", help="comma-separated page keys to measure")
    parser.add_argument(
        "--server-ms",
        type=float,
        default=0.33,
        help="CPU a server adds to every request, outside Django (gunicorn, the load generator); "
        "0.33 ms fits the quiet-machine gunicorn run of 2026-12-05 (docs/performance.md)",
    )
    parser.add_argument("--sql", action="store_true", help="print each page's SQL and stop")
    parser.add_argument("--profile-out", help="with --profile: also write the raw stats here")
    args = parser.parse_args()

    configure(args.cache)
    learner = prepare()
    pages = pages_for(learner)
    if args.only:
        wanted = set(args.only.split(",")) | {"bare"}
        pages = [p for p in pages if p[0] in wanted]
    bare_app, project_app = applications()
    cookie = session_cookie(learner)
    callers = {
        key: Caller(bare_app if key == "bare" else project_app, "" if key == "bare" else cookie)
        for key, _name, _path in pages
    }

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for key, _name, path in pages:
        for _ in range(20):  # warm up: templates compiled, caches filled, session touched
            status = callers[key](path)
        if not status.startswith("200"):
            sys.exit(f"{path} answered {status}")
        with CaptureQueriesContext(connection) as captured:
            callers[key](path)
        queries[key] = len(captured)
        if args.sql:
            print(f"\n{key} {path}: {len(captured)} queries")
            for query in captured.captured_queries:
                print("  ", query["sql"][:400])
    if args.sql:
        return

    if args.profile:
        key, _name, path = next(p for p in pages if p[0] == args.profile)
        profiler = cProfile.Profile(time.process_time)  # CPU, not waits
        profiler.enable()
        for _ in range(args.requests):
            callers[key](path)
        profiler.disable()
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(40)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        return

    cpu = {key: [] for key, _n, _p in pages}
    wall = {key: [] for key, _n, _p in pages}
    for _round in range(args.rounds):
        for key, _name, path in pages:
            call = callers[key]
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                call(path)
            cpu[key].append((time.process_time() - start_cpu) / args.requests)
            wall[key].append((time.perf_counter() - start_wall) / args.requests)

    load = os.getloadavg()
    print(
        f"\n{args.rounds} rounds x {args.requests} requests per page, pages interleaved; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    bare_cpu = statistics.median(cpu["bare"])
    print(
        f"{'page':<44} {'CPU ms/req':>10} {'min':>7} {'wall ms':>8} {'queries':>7} "
        f"{'x bare':>7} {'~share':>7}"
        # ~share: (bare + server) / (page + server), the share of the bare view's requests/s a
        # CPU-bound gunicorn would give the page once the server's own cost is counted in both.
    )
    for key, name, _path in pages:
        median = statistics.median(cpu[key])
        ratio = median / bare_cpu
        share = (bare_cpu * 1000 + args.server_ms) / (median * 1000 + args.server_ms)
        print(
            f"{name:<44} {median * 1000:>10.3f} {min(cpu[key]) * 1000:>7.3f} "
            f"{statistics.median(wall[key]) * 1000:>8.3f} {queries[key]:>7} {ratio:>7.1f} "
            f"{share:>7.3f}"
        )
    print(
        f"x bare: the page's CPU over the bare view's; ~share: (bare + {args.server_ms} ms server) / "
        f"(page + {args.server_ms} ms). Targets (share): lesson page >= 0.25, My learning and "
        "catalog >= 0.167"
    )


if __name__ == "__main__":
    main()
