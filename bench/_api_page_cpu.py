"""CPU time of one page of the enrollments sync feed, in process (Django's test client, the
production middleware and settings, no HTTP): the Django thread's (`time.thread_time`) and the
PostgreSQL backend's (`/proc/<pid>/schedstat`), which a busy machine disturbs far less than wall
time. Pages of `--page-size` completions from `--at` rows into the sync, each variant in turn
over the same pages, `--rounds` times; prints medians. Needs the data of bench/api_cursor.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench_api \\
        CACHE_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/_api_page_cpu.py --full

Variants: `code` (the feed as committed), `size1` (a page of one row: the per-request
overhead), `join` (the learner's address by a join, as before the third pass), `oauth` and
`oauth1` (pages of `--page-size` and of one row, the token checked the whole way, by
django-oauth-toolkit and `client_for_token`, as before the fifth pass) and `nonstr` (orjson
with OPT_NON_STR_KEYS on every page, as before the fifth pass).
"""

import argparse
import base64
import os
import statistics
import time

os.environ.update(
    {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_SYNC_SETTLE_SECONDS": "0",
        # In process, each page read by the request itself (no read-ahead thread).
        "API_SYNC_READ_AHEAD_SECONDS": "0",
        "API_RATE_LIMIT": "100000000/min",
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
    }
)

from _setup import bench_admin, generate, log  # noqa: E402, I001
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from api import api_views, selectors  # noqa: E402
from api.pagination import KeysetPagination  # noqa: E402
from learning.models import Enrollment, EnrollmentStatus  # noqa: E402


def backend_cpu_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def _join_feed(self, queryset):
    """The page query as main had it: the learner's address by a join to the user table."""
    columns = [
        "user__email" if c == "learner_email" else c for c in selectors.ENROLLMENT_FEED_COLUMNS
    ]
    return queryset.values_list(*columns)


# name: the view's `feed` for the variant; `code` leaves the view as it is.
VARIANTS = {"join": _join_feed}


def _patches(name):
    """(object, attribute, value) to set for the variant's pages, put back after them."""
    from api import authentication, renderers

    if name in ("oauth", "oauth1"):
        return [(authentication, "_quick", lambda request: None)]
    if name == "nonstr":
        return [(renderers, "_OPTIONS", renderers._NON_STR_KEYS_OPTIONS)]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="the data of --full (1,000,000)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--at", type=int, default=200_000, help="completions before the pages")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=5000)
    parser.add_argument("--variants", default="code,size1")
    args = parser.parse_args()
    rows = 1_000_000 if args.full else args.rows
    agency = generate(learners=max(1, rows // 10), per_learner=10)
    admin = bench_admin()
    start = (
        Enrollment.objects.filter(agency=agency, status=EnrollmentStatus.COMPLETED)
        .order_by("updated_at", "id")
        .values_list("updated_at", "id")[args.at - 1]
    )
    cursor = KeysetPagination.encode(list(start))
    from api.services import client_create, client_revoke

    client, secret = client_create(
        actor=admin, agency=agency, name=f"cpu {time.time():.0f}", scopes=["learning:read"]
    )
    http = Client()
    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    token = http.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    ).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    view = api_views.EnrollmentViewSet
    original = view.feed
    connection.ensure_connection()
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    results = {name: [] for name in args.variants.split(",")}
    try:
        for _round in range(args.rounds):
            for name in results:
                view.feed = VARIANTS.get(name, original)
                patches = _patches(name)
                saved = [(target, attr, getattr(target, attr)) for target, attr, _v in patches]
                for target, attr, value in patches:
                    setattr(target, attr, value)
                size = 1 if name in ("size1", "oauth1") else args.page_size
                url = f"/api/v1/enrollments/?status=completed&page_size={size}&cursor={cursor}"
                for _page in range(args.pages):
                    wall, cpu, db = time.perf_counter(), time.thread_time(), backend_cpu_ns(pid)
                    response = http.get(url, **auth)
                    db = (backend_cpu_ns(pid) - db) / 1e6
                    cpu = (time.thread_time() - cpu) * 1e3
                    wall = (time.perf_counter() - wall) * 1e3
                    assert response.status_code == 200, response.content[:500]
                    body = response.json()
                    assert len(body["results"]) == size
                    results[name].append((cpu, db, wall))
                    url = body["next"].removeprefix("http://testserver")
                for target, attr, value in saved:
                    setattr(target, attr, value)
    finally:
        view.feed = original
        client_revoke(actor=admin, client=client)
    log(
        f"{args.pages} pages of {args.page_size:,} x {args.rounds} rounds from {args.at:,} rows "
        f"in; load average {os.getloadavg()[0]:.2f}"
    )
    log("variant  Django CPU  PostgreSQL CPU  sum  wall (medians, ms)")
    for name, samples in results.items():
        django_cpu = statistics.median(s[0] for s in samples)
        db_cpu = statistics.median(s[1] for s in samples)
        total = statistics.median(s[0] + s[1] for s in samples)
        wall = statistics.median(s[2] for s in samples)
        log(f"{name:7} {django_cpu:9.1f} {db_cpu:14.1f} {total:6.1f} {wall:6.1f}")


if __name__ == "__main__":
    main()
