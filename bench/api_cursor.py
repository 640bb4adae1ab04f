"""REST API cursor benchmark: an integrator pages through the bench agency's completions with
`GET /api/v1/enrollments/?status=completed` (keyset cursor, API_SYNC_PAGE_SIZE_MAX rows a page:
5,000) from gunicorn run as the Procfile runs it, next to the CSV completion report's rate on
the same data.

    createdb -h 127.0.0.1 -U postgres academy_bench_api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench_api \
        [CACHE_URL=redis://127.0.0.1:6379/1] \
        .venv/bin/python bench/api_cursor.py [--rows 20000 | --full] [--page-size 5000]

`--rows` is the number of enrollments generated (10 per learner, about 60% completed); the
default is small, `--full` generates 1,000,000 (long: run it only on a quiet machine). Data is
generated once per database and reused (bench/_setup.py), so use a database of its own for
each size. gunicorn gets the Procfile's `web` options (workers, threads, timeouts: their
defaults); the rate limit's cache is CACHE_URL (Redis in production; the embedded file cache
when unset). Prints the API's rows/s (completions through the API as JSON; the token request is
timed apart), the CSV report's rows/s on the same agency (bench/report.py's child, every
enrollment of the agency), their ratio against the target (a quarter), the peak memory
(VmHWM) of the gunicorn workers and their CPU time while paging (per page). Exits 1 when a page fails or a row is missing or repeated.
The server reads each next page ahead (api.read_ahead) as in production;
`API_SYNC_READ_AHEAD_SECONDS=0` in the environment measures without it.
"""

import argparse
import base64
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import orjson
from _setup import bench_admin, generate, log  # noqa: I001
from django.conf import settings

from learning.models import Enrollment, EnrollmentStatus
from reports.models import ReportRun

BASE_DIR = Path(__file__).resolve().parent.parent
RATIO_TARGET = 0.25
SERVER_ENV = {
    # Freshly generated rows are served at once; no rate limit for the benchmark's client.
    "API_SYNC_SETTLE_SECONDS": "0",
    "API_RATE_LIMIT": "100000000/min",
    # The token endpoint over plain HTTP on loopback (oauthlib refuses it otherwise).
    "OAUTHLIB_INSECURE_TRANSPORT": "1",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web_options() -> list[str]:
    """The options the Procfile's `web` process gives gunicorn (worker count, threads,
    timeouts), each `${VAR:-default}` at its default, without the application and the bind."""
    line = next(
        line.removeprefix("web:")
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    words = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line))
    options, skip = [], False
    for word in words[2:]:  # after `gunicorn academy.wsgi`
        if skip or word == "--bind":
            skip = not skip
            continue
        options.append(word)
    return options


def start_server(port: int, logfile: Path) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "academy.wsgi:application",
        "--chdir",
        str(BASE_DIR),
        "--bind",
        f"127.0.0.1:{port}",
        *procfile_web_options(),
        "--error-logfile",
        str(logfile),
    ]
    log(f"gunicorn {' '.join(command[4:])}")
    env = {**os.environ, **SERVER_ENV}
    return subprocess.Popen(command, env=env, start_new_session=True)


def wait_for(port: int, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not listen on port {port}")


def worker_peak_kb(master_pid: int) -> int:
    """The highest VmHWM among the gunicorn master's children (the workers that served)."""
    import psutil

    peaks = [0]
    for child in psutil.Process(master_pid).children():
        with open(f"/proc/{child.pid}/status") as status:
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)))
    return max(peaks)


def workers_cpu_seconds(master_pid: int) -> float:
    """The CPU time (user and system) the gunicorn master's children have used so far: read
    before and after the paging, the web process's CPU for the sync, which a busy machine
    disturbs far less than the rate."""
    import psutil

    return sum(sum(child.cpu_times()[:2]) for child in psutil.Process(master_pid).children())


def fetch_token(base: str, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/api/v1/oauth/token/",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["access_token"]


def warm_up(base: str, token: str, concurrency: int) -> None:
    """Small pages, `concurrency` at once (the Procfile's workers x threads), until every
    worker has served some: a worker's first request loads the URLs and views (seconds), which
    is no part of a sync's rate."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_n):
        request = urllib.request.Request(
            f"{base}/api/v1/enrollments/?status=completed&page_size=1",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    with ThreadPoolExecutor(concurrency) as pool:
        for _round in range(3):
            list(pool.map(one, range(concurrency)))


def page_through(base: str, token: str, page_size: int) -> tuple[list[int], float, float]:
    """Every completed enrollment through the cursor: (ids in order, seconds, of which the
    client's parsing of the pages)."""
    url = f"{base}/api/v1/enrollments/?status=completed&page_size={page_size}"
    ids: list[int] = []
    parsing = 0.0
    started = time.perf_counter()
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
        # orjson, as a careful integrator would (the standard library's json takes about
        # 1.7 times as long on a page); timed apart, since it is the client's work.
        parse_started = time.perf_counter()
        body = orjson.loads(raw)
        ids.extend(row["id"] for row in body["results"])
        parsing += time.perf_counter() - parse_started
        url = body["next"]
    return ids, time.perf_counter() - started, parsing


def csv_report_rate(agency, admin) -> tuple[float, int]:
    """The CSV completion report of the same agency, produced by bench/report.py's child
    (report_run_execute in a fresh process): (rows/s, rows)."""
    from django.core.files.storage import default_storage

    run = ReportRun.objects.create(
        requested_by=admin, agency=agency, kind="completion", format="csv"
    )
    done = subprocess.run(
        [sys.executable, str(BASE_DIR / "bench" / "report.py"), "--child", str(run.pk)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if done.returncode:
        sys.exit(f"report child failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["file"]:
        default_storage.delete(result["file"])
    ReportRun.objects.filter(pk=run.pk).delete()
    return (result["rows"] / result["seconds"] if result["seconds"] else 0.0), result["rows"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000, help="enrollments to generate")
    parser.add_argument("--full", action="store_true", help="1,000,000 enrollments")
    parser.add_argument(
        "--page-size",
        type=int,
        default=settings.API_SYNC_PAGE_SIZE_MAX,
        help="rows a page (default and most: API_SYNC_PAGE_SIZE_MAX)",
    )
    args = parser.parse_args()
    rows = 1_000_000 if args.full else args.rows
    per_learner = 10
    agency = generate(learners=max(1, rows // per_learner), per_learner=per_learner)
    admin = bench_admin()
    expected = list(
        Enrollment.objects.filter(agency=agency, status=EnrollmentStatus.COMPLETED)
        .order_by("updated_at", "id")
        .values_list("id", flat=True)
    )
    log(f"{agency.slug}: {agency.enrollments.count():,} enrollments, {len(expected):,} completed")

    from api.services import client_create, client_revoke

    client, secret = client_create(
        actor=admin, agency=agency, name=f"bench {time.time():.0f}", scopes=["learning:read"]
    )
    port = free_port()
    logfile = Path(tempfile.gettempdir()) / "academy-bench-api-gunicorn.log"
    server = start_server(port, logfile)
    failed = False
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        token = fetch_token(base, client.application.client_id, secret)
        options = procfile_web_options()
        workers = int(options[options.index("--workers") + 1])
        threads = int(options[options.index("--threads") + 1])
        warm_up(base, token, workers * threads)
        cpu = workers_cpu_seconds(server.pid)
        ids, paging, parsing = page_through(base, token, args.page_size)
        cpu = workers_cpu_seconds(server.pid) - cpu
        total = time.perf_counter() - started
        peak_mb = worker_peak_kb(server.pid) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
        client_revoke(actor=admin, client=client)
    # The rate is the paging's: the token request (first request of a cold worker, and a
    # deliberately slow hashed-secret check) and the warm-up are printed apart.
    api_rate = len(ids) / paging if paging else 0.0
    log(
        f"API cursor, {args.page_size:,} rows a page, read-ahead "
        f"{'on' if settings.API_SYNC_READ_AHEAD_SECONDS else 'off'}: "
        f"{len(ids):,} completions in {paging:.1f} s "
        f"of paging = {api_rate:,.0f} "
        f"rows/s (token and warm-up {total - paging:.1f} s more); gunicorn worker peak "
        f"RSS (VmHWM) {peak_mb:.0f} MB"
    )
    pages = -(-len(ids) // args.page_size) or 1
    log(f"  gunicorn workers' CPU while paging {cpu:.2f} s = {cpu / pages * 1e3:.1f} ms a page")
    if ids != expected:
        missing, repeated = set(expected) - set(ids), len(ids) - len(set(ids))
        log(f"  NOT every completion once, in order: {len(missing)} missing, {repeated} repeated")
        failed = True
    csv_rate, csv_rows = csv_report_rate(agency, admin)
    ratio = api_rate / csv_rate if csv_rate else 0.0
    served = len(ids) / (paging - parsing) if paging > parsing else 0.0
    log(
        f"  of which the client's parsing {parsing:.1f} s; without it {served:,.0f} rows/s "
        f"(the target is judged on the rate above, parsing included)"
    )
    log(f"CSV completion report, same agency: {csv_rows:,} rows = {csv_rate:,.0f} rows/s")
    log(
        f"  API / CSV report = {ratio:.3f} (target >= {RATIO_TARGET}: "
        f"{'met' if ratio >= RATIO_TARGET else 'NOT met'}); without the client's parsing "
        f"{served / csv_rate if csv_rate else 0.0:.3f}"
    )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
