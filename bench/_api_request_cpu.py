"""Interleaved CPU of two steps of the enrollments sync feed, on the data of bench/api_cursor.py:
`ClientTokenAuthentication.authenticate` the quick way (api.authentication._quick) and the whole
way (django-oauth-toolkit and `client_for_token`), and the rendering of a real 5,000-row page
with and without orjson's OPT_NON_STR_KEYS; then, for what is left, a page's rows and the
client's `orjson.loads`. Thread CPU, min and median (docs/performance.md, "Fifth pass").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench_api \\
        CACHE_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/_api_request_cpu.py --full
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
        "API_SYNC_READ_AHEAD_SECONDS": "0",
        "API_RATE_LIMIT": "100000000/min",
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
    }
)

import orjson  # noqa: E402
from _setup import bench_admin, generate, log  # noqa: E402, I001
from django.test import Client, RequestFactory  # noqa: E402
from rest_framework.request import Request  # noqa: E402

from api import authentication, renderers, selectors  # noqa: E402
from api.serializers import enrollment_rows  # noqa: E402
from learning.models import Enrollment, EnrollmentStatus  # noqa: E402


def _report(name, samples):
    log(f"{name}: min {min(samples):.2f} ms, median {statistics.median(samples):.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="the data of --full (1,000,000)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    rows = 1_000_000 if args.full else args.rows
    agency = generate(learners=max(1, rows // 10), per_learner=10)
    admin = bench_admin()
    from api.services import client_create, client_revoke

    client, secret = client_create(
        actor=admin, agency=agency, name=f"req {time.time():.0f}", scopes=["learning:read"]
    )
    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    token = (
        Client()
        .post(
            "/api/v1/oauth/token/",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        .json()["access_token"]
    )
    factory = RequestFactory()
    auth = authentication.ClientTokenAuthentication()
    quick = authentication._quick
    timings = {"authenticate, quick way": [], "authenticate, whole way": []}
    try:
        for _ in range(args.calls):
            for name, samples in timings.items():
                authentication._quick = quick if "quick" in name else (lambda request: None)
                request = Request(
                    factory.get(
                        "/api/v1/enrollments/?status=completed&page_size=5000",
                        HTTP_AUTHORIZATION=f"Bearer {token}",
                    )
                )
                started = time.thread_time()
                assert auth.authenticate(request) is not None
                samples.append((time.thread_time() - started) * 1e3)
    finally:
        authentication._quick = quick
        client_revoke(actor=admin, client=client)
    completed = Enrollment.objects.filter(agency=agency, status=EnrollmentStatus.COMPLETED)
    at = min(200_000, completed.count() // 2)
    page = list(selectors.enrollment_feed(completed.order_by("updated_at", "id"))[at : at + 5000])
    courses = selectors.course_refs(row[3] for row in page)
    data = {
        "next": "http://testserver/x",
        "cursor": "abc",
        "results": enrollment_rows(page, courses),
    }
    renderer = renderers.FastJSONRenderer()
    options = renderers._OPTIONS
    renders = {"render, str keys": [], "render, OPT_NON_STR_KEYS": []}
    bodies = set()
    try:
        for _ in range(40):
            for name, samples in renders.items():
                plain = name.endswith(", str keys")
                renderers._OPTIONS = options if plain else options | orjson.OPT_NON_STR_KEYS
                started = time.thread_time()
                bodies.add(renderer.render(data, "application/json", {}))
                samples.append((time.thread_time() - started) * 1e3)
    finally:
        renderers._OPTIONS = options
    assert len(bodies) == 1, "the two renderings differ"
    rows_ms, parse_ms = [], []
    body = bodies.pop()
    for _ in range(10):
        started = time.thread_time()
        enrollment_rows(page, courses)
        rows_ms.append((time.thread_time() - started) * 1e3)
        started = time.thread_time()
        orjson.loads(body)
        parse_ms.append((time.thread_time() - started) * 1e3)
    log(f"{len(page):,} rows a page, load average {os.getloadavg()[0]:.2f}")
    for name, samples in {**timings, **renders}.items():
        _report(name, samples)
    _report("the page's rows", rows_ms)
    _report("the client's orjson.loads", parse_ms)


if __name__ == "__main__":
    main()
