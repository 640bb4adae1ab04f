"""The platform view at national scale: 100 agencies, 2,200,000 learners, 20,000,000 enrollments.

    createdb -h 127.0.0.1 -U postgres academy_bench_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench_scale \
        .venv/bin/python bench/scale.py [--learners 2200000] [--enrollments 20000000] [--nightly]

Generates the data once (bench/_national.py, COPY; reused when present) and builds the aggregate
rows with the nightly task itself. Prints the database size, then the server time of the platform
view (reports:platform, as a platform admin) and of the largest agency's dashboard (as its admin),
each the median of several test-client requests with its query count, against raw SQL computing
the same figures from the enrollments in the same run; exit status 1 if any figure differs.
`--nightly` also times the nightly task (reports.tasks.reports_nightly_task) as beat runs it,
agency by agency; `--analyse` measures what would bring it under an hour (see docs/performance.md).
"""

import argparse
import datetime
import importlib.util
import logging
import os
import platform
import time
from collections import defaultdict

# The siblings first: importing _setup (through _national) takes bench/ off sys.path.
from _copy_load import bare_tables  # noqa: I001
from _national import generate_national, largest_agency, national_admins
from _setup import BENCH_DIR, log, median
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.dates import agency_date
from reports.access import dashboard_scope
from reports.models import EnrollmentCount
from reports.selectors import dashboard_figures, platform_adoption

PLATFORM_TARGET_MS = 200
DASHBOARD_TARGET_MS = 100
HOUR = 3600


def _bench_module(name):
    """A sibling benchmark loaded from its file (bench/ is not on sys.path, see _setup)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sizes_on_disk():
    with connection.cursor() as c:
        c.execute("SELECT pg_database_size(current_database())")
        total = c.fetchone()[0]
        c.execute(
            """SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                      pg_indexes_size(c.oid), c.reltuples::bigint
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind = 'r'
               ORDER BY 2 DESC LIMIT 16"""
        )
        tables = c.fetchall()
    log(f"Database size on disk (pg_database_size): {total / 2**30:.2f} GiB")
    log("  table                         rows (est.)     total      heap   indexes")
    for name, size, heap, indexes, rows in tables:
        log(
            f"  {name:<28} {rows:>12,} {size / 2**20:>8,.0f} MB {heap / 2**20:>6,.0f} MB "
            f"{indexes / 2**20:>6,.0f} MB"
        )
    return total


def timed_requests(client, url, requests):
    """Median server time (ms) of `requests` GETs after one warm-up, and the last one's queries.

    Also logs the medians of this process's CPU time and of the SQL time per request, and the
    load average: on a shared machine the wall time moves with the other processes' load."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, cpu, sql = [], [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
        assert response.status_code == 200, (url, response.status_code)
    log(
        f"  {url}: wall min {min(times) * 1000:.1f} ms, median {median(times) * 1000:.1f} ms; "
        f"median Django CPU {median(cpu) * 1000:.1f} ms, SQL {median(sql) * 1000:.1f} ms; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    return median(times) * 1000, len(queries), times


# --- the platform view ---------------------------------------------------------------------


def platform_raw(today, first_week, last_week):
    """Per agency, straight from the memberships, users and enrollments: what the platform view
    shows (members, activated, enrollments per required flag and status, scores, valid
    certificates, overdue, completions per week in the agency's own calendar)."""
    out = {"members": {}, "status": defaultdict(list), "weeks": defaultdict(dict)}
    with connection.cursor() as c:
        c.execute(
            """SELECT m.agency_id, count(*), count(*) FILTER (WHERE u.activated_at IS NOT NULL)
               FROM agencies_membership m JOIN accounts_user u ON u.id = m.user_id
               WHERE m.is_active GROUP BY 1"""
        )
        out["members"] = {agency: (n, a) for agency, n, a in c.fetchall()}
        c.execute(
            """SELECT e.agency_id, e.required, e.status, count(*),
                      coalesce(sum(e.final_score) FILTER (WHERE e.status = 'completed'), 0),
                      count(e.final_score) FILTER (WHERE e.status = 'completed'),
                      count(ct.id) FILTER (WHERE ct.revoked_at IS NULL
                                           AND e.status = 'completed'),
                      count(*) FILTER (WHERE e.required AND e.due_on < %s
                                       AND e.status <> 'completed')
               FROM learning_enrollment e
               LEFT JOIN learning_certificate ct ON ct.enrollment_id = e.id
               GROUP BY 1, 2, 3""",
            [today],
        )
        for agency, *row in c.fetchall():
            out["status"][agency].append(row)
        c.execute(
            """SELECT e.agency_id, date_trunc('week', e.completed_at AT TIME ZONE a.time_zone)::date,
                      count(*)
               FROM learning_enrollment e JOIN agencies_agency a ON a.id = e.agency_id
               WHERE e.status = 'completed'
                 AND (e.completed_at AT TIME ZONE a.time_zone)::date BETWEEN %s AND %s
               GROUP BY 1, 2""",
            [first_week, last_week + datetime.timedelta(days=6)],
        )
        for agency, week, n in c.fetchall():
            out["weeks"][agency][week] = n
    return out


def platform_compare(adoption, raw):
    problems = []
    for row in adoption["agencies"]:
        agency = row["agency"].pk
        want = dict.fromkeys(
            ("enrolled", "not_started", "in_progress", "completed", "certified", "score_sum",
             "score_n", "required_total", "required_completed", "overdue"),
            0,
        )  # fmt: skip
        for required, status, n, score_sum, score_n, certified, overdue in raw["status"][agency]:
            want["enrolled"] += n
            want[status] += n
            want["score_sum"] += score_sum
            want["score_n"] += score_n
            want["certified"] += certified
            want["overdue"] += overdue
            if required:
                want["required_total"] += n
                want["required_completed"] += n if status == "completed" else 0
        want["members"], want["activated"] = raw["members"].get(agency, (0, 0))
        for name, value in want.items():
            if row[name] != value:
                problems.append(f"{row['agency'].slug} {name}: view {row[name]} raw {value}")
        for week in row["trend"]:
            value = raw["weeks"][agency].get(week["start"], 0)
            if week["completions"] != value:
                problems.append(
                    f"{row['agency'].slug} week {week['start']}: view {week['completions']} "
                    f"raw {value}"
                )
    if len(adoption["agencies"]) != len(raw["members"]):
        problems.append(f"{len(adoption['agencies'])} agencies shown, {len(raw['members'])} exist")
    return problems


def measure_platform(platform_admin, requests):
    client = Client()
    client.force_login(platform_admin)
    view_ms, queries, _ = timed_requests(client, "/reports/platform/", requests)
    today = agency_date(None)
    adoption = platform_adoption(today=today)
    weeks = adoption["weeks"]
    raw_times = []
    for _ in range(3):
        started = time.perf_counter()
        raw = platform_raw(today, weeks[0], weeks[-1])
        raw_times.append(time.perf_counter() - started)
    raw_ms = median(raw_times) * 1000
    problems = platform_compare(adoption, raw)
    log(
        f"Platform view (server time, median of {requests}): {view_ms:.1f} ms, {queries} queries "
        f"(target < {PLATFORM_TARGET_MS} ms: {'met' if view_ms < PLATFORM_TARGET_MS else 'NOT met'})"
    )
    log(f"Raw SQL, same figures from the enrollments (median of 3): {raw_ms:,.1f} ms")
    log(f"Ratio platform view / raw SQL: {view_ms / raw_ms:.4f}")
    log("Figures identical: " + ("yes" if not problems else "NO\n  " + "\n  ".join(problems[:40])))
    return problems


# --- the largest agency's dashboard ---------------------------------------------------------


def measure_dashboard(agency_admin, agency, requests):
    bench = _bench_module("dashboard")
    client = Client()
    client.force_login(agency_admin)
    view_ms, queries, _ = timed_requests(client, "/reports/", requests)
    today = agency_date(agency.time_zone)
    figures = dashboard_figures(dashboard_scope(agency_admin), today=today)
    raw_times = []
    for _ in range(3):
        started = time.perf_counter()
        raw = bench.raw_figures(agency.pk, today, figures["weeks"][0]["start"])
        raw_times.append(time.perf_counter() - started)
    raw_ms = median(raw_times) * 1000
    problems = bench.compare(figures, raw)
    log(
        f"Largest agency ({agency.slug}, {figures['headline']['members']:,} members, "
        f"{figures['headline']['enrolled']:,} enrollments) dashboard, server time (median of "
        f"{requests}): {view_ms:.1f} ms, {queries} queries (target < {DASHBOARD_TARGET_MS} ms: "
        f"{'met' if view_ms < DASHBOARD_TARGET_MS else 'NOT met'})"
    )
    log(f"Raw SQL aggregates over its enrollments (median of 3): {raw_ms:,.1f} ms")
    log(f"Ratio dashboard / raw SQL: {view_ms / raw_ms:.4f}")
    log("Figures identical: " + ("yes" if not problems else "NO\n  " + "\n  ".join(problems[:40])))
    return problems


# --- the nightly recompute ------------------------------------------------------------------


def run_nightly(label):
    """The beat schedule's task, run here as the worker would, timed agency by agency (the
    task's own calls are wrapped; nothing else changes)."""
    from reports import tasks
    from reports.services import recompute, snapshots

    per_agency = defaultdict(dict)

    def timing(module, name, key):
        original = getattr(module, name)

        def wrapped(**kwargs):
            started = time.perf_counter()
            result = original(**kwargs)
            per_agency[kwargs["agency_id"]][key] = time.perf_counter() - started
            return result

        setattr(module, name, wrapped)
        return original

    originals = (
        timing(recompute, "aggregates_recompute_agency", "recompute"),
        timing(snapshots, "snapshot_write_agency", "snapshot"),
    )
    started = time.perf_counter()
    try:
        result = tasks.reports_nightly_task.apply().get()
    finally:
        recompute.aggregates_recompute_agency = originals[0]
        snapshots.snapshot_write_agency = originals[1]
    elapsed = time.perf_counter() - started
    log(
        f"Nightly task ({label}; load average now {os.getloadavg()[0]:.2f}): "
        f"{elapsed:,.1f} s = {elapsed / 60:.1f} min; "
        f"{result['drift_cells']:,} cells built or repaired in {len(result['drift_agencies'])} "
        f"agencies, {result['snapshot_rows']:,} snapshot rows"
    )
    return elapsed, per_agency


def report_per_agency(per_agency, sizes):
    """Time per agency against its enrollments: is it linear, and what dominates?"""
    rows = sorted(per_agency.items(), key=lambda kv: -sizes.get(kv[0], 0))
    recompute = sum(t.get("recompute", 0) for _, t in rows)
    snapshot = sum(t.get("snapshot", 0) for _, t in rows)
    log(f"  aggregates recompute {recompute:,.1f} s, snapshots {snapshot:,.1f} s; by agency:")
    # Least squares: seconds = fixed + per_enrollment x enrollments, over every agency.
    xs = [sizes.get(agency, 0) for agency, _ in rows]
    ys = [t.get("recompute", 0) + t.get("snapshot", 0) for _, t in rows]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / max(
        sum((x - mean_x) ** 2 for x in xs), 1
    )
    log(
        f"  fit over {len(rows)} agencies: {mean_y - slope * mean_x:.2f} s per agency + "
        f"{slope * 1e6:.1f} us per enrollment"
    )
    for agency, t in rows[:5] + rows[len(rows) // 2 : len(rows) // 2 + 2] + rows[-3:]:
        n = sizes.get(agency, 0)
        log(
            f"    agency {agency}: {n:>10,} enrollments: recompute {t.get('recompute', 0):7.1f} s "
            f"({1e6 * t.get('recompute', 0) / max(n, 1):5.1f} us/enrollment), snapshot "
            f"{t.get('snapshot', 0):6.1f} s"
        )


def build_aggregates(agencies):
    """The enrollment aggregate rows by SQL (bench/_cells_sql.py), yesterday's snapshots by the
    app; then the app's own recompute must find no drift in the largest and smallest agencies
    (`--nightly` checks them all)."""
    from reports.services.recompute import aggregates_recompute_agency
    from reports.services.snapshots import snapshots_write

    log("Building the aggregate rows by SQL:")
    elapsed = _bench_module("_cells_sql").cells_build(log, bare=bare_tables)
    log(f"  all enrollment aggregate tables in {elapsed:,.1f} s")
    started = time.perf_counter()
    rows = snapshots_write()
    log(f"  yesterday's snapshots ({rows:,} rows) in {time.perf_counter() - started:,.1f} s")
    for agency in (agencies[0], agencies[-1]):
        started = time.perf_counter()
        drift = aggregates_recompute_agency(agency_id=agency.pk, repair=False)
        log(
            f"  the app's recompute of {agency.slug} finds {len(drift)} cells differing "
            f"({time.perf_counter() - started:,.1f} s)"
        )
        if drift:
            raise SystemExit(f"SQL-built aggregate rows differ from the app's: {drift[:5]}")


def enrollments_per_agency():
    with connection.cursor() as c:
        c.execute("SELECT agency_id, count(*) FROM learning_enrollment GROUP BY 1")
        return dict(c.fetchall())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--learners", type=int, default=2_200_000)
    parser.add_argument("--enrollments", type=int, default=20_000_000)
    parser.add_argument("--requests", type=int, default=9)
    parser.add_argument("--nightly", action="store_true", help="time the nightly task")
    parser.add_argument("--analyse", action="store_true", help="measure the ways to speed it up")
    args = parser.parse_args()
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks need PostgreSQL (set DATABASE_URL).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    log(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}: {os.cpu_count()} CPUs, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
        f"PostgreSQL {server}, Python {platform.python_version()}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    started = time.perf_counter()
    agencies = generate_national(
        agencies=args.agencies, learners=args.learners, enrollments=args.enrollments
    )
    if not EnrollmentCount.objects.exists():
        build_aggregates(agencies)
        log(f"Data and aggregates ready after {time.perf_counter() - started:,.1f} s")
    sizes_on_disk()
    platform_admin, agency_admin = national_admins()
    problems = measure_platform(platform_admin, args.requests)
    problems += measure_dashboard(agency_admin, largest_agency(), args.requests)
    if args.nightly:
        elapsed, per_agency = run_nightly("steady state, as beat runs it nightly")
        report_per_agency(per_agency, enrollments_per_agency())
        log(f"  under an hour: {'yes' if elapsed < HOUR else 'NO'}")
    if args.analyse:
        _bench_module("_scale_analysis").analyse(
            agencies, enrollments_per_agency(), _bench_module("_cells_sql")
        )
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
