"""Dashboard benchmark: server time of the dashboard view vs the raw SQL aggregates it replaces.

    createdb -h 127.0.0.1 -U postgres academy_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench \
        .venv/bin/python bench/dashboard.py [--learners 100000] [--per-learner 10]

Prints both times (median of several requests / runs), the view's query count, the ratio, and
checks that both give identical figures (exit status 1 if not).
"""

import argparse
import datetime
import time

from _setup import bench_admin, generate, log, median  # noqa: I001
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.access import dashboard_scope
from reports.models import EnrollmentCount
from reports.selectors import dashboard_figures
from reports.services.recompute import aggregates_recompute_agency
from reports.services.snapshots import snapshots_write

BUCKET_SQL = """CASE WHEN d < 14 THEN d WHEN d < 91 THEN 14 + 7 * ((d - 14) / 7)
                     WHEN d < 365 THEN 91 + 30 * ((d - 91) / 30) ELSE 365 END"""


def raw_figures(agency_id, today, first_week):
    """The same figures computed straight from the enrollments (what a dashboard without
    aggregate rows would run on every request)."""
    out = {}
    with connection.cursor() as c:
        c.execute(
            """
            SELECT e.course_id, e.required, e.status, count(*), coalesce(sum(e.final_score), 0),
                   count(e.final_score),
                   count(ct.id) FILTER (WHERE ct.revoked_at IS NULL AND e.status = 'completed')
            FROM learning_enrollment e LEFT JOIN learning_certificate ct
                 ON ct.enrollment_id = e.id
            WHERE e.agency_id = %s GROUP BY 1, 2, 3""",
            [agency_id],
        )
        out["status"] = c.fetchall()
        c.execute(
            """SELECT course_id, count(*) FROM learning_enrollment
                     WHERE agency_id = %s AND due_on < %s AND status <> 'completed'
                     GROUP BY 1""",
            [agency_id, today],
        )
        out["overdue_course"] = dict(c.fetchall())
        c.execute(
            """SELECT unit_id, required, status, count(*) FROM learning_enrollment
                     WHERE agency_id = %s GROUP BY 1, 2, 3""",
            [agency_id],
        )
        out["status_unit"] = c.fetchall()
        c.execute(
            """SELECT unit_id, count(*) FROM learning_enrollment
                     WHERE agency_id = %s AND due_on < %s AND status <> 'completed'
                     GROUP BY 1""",
            [agency_id, today],
        )
        out["overdue_unit"] = dict(c.fetchall())
        c.execute(
            f"""
            SELECT course_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY {BUCKET_SQL})
            FROM (SELECT course_id, floor(extract(epoch FROM completed_at
                         - coalesce(started_at, completed_at)) / 86400)::int AS d
                  FROM learning_enrollment WHERE agency_id = %s AND status = 'completed') t
            GROUP BY 1""",
            [agency_id],
        )
        out["median"] = dict(c.fetchall())
        c.execute(
            """SELECT date_trunc('week', completed_at AT TIME ZONE 'UTC')::date, count(*)
                     FROM learning_enrollment WHERE agency_id = %s AND status = 'completed'
                     AND (completed_at AT TIME ZONE 'UTC')::date BETWEEN %s AND %s
                     GROUP BY 1""",
            [agency_id, first_week, today],
        )
        out["weeks"] = dict(c.fetchall())
        c.execute(
            """SELECT count(*), count(*) FILTER (WHERE u.activated_at IS NOT NULL)
                     FROM agencies_membership m JOIN accounts_user u ON u.id = m.user_id
                     WHERE m.agency_id = %s AND m.is_active""",
            [agency_id],
        )
        out["members"] = c.fetchone()
    return out


def compare(figures, raw):
    head = figures["headline"]
    want = {
        "enrolled": 0,
        "in_progress": 0,
        "completed": 0,
        "required_total": 0,
        "required_completed": 0,
        "score_sum": 0,
        "score_n": 0,
        "certified": 0,
    }
    for _course, required, status, n, score_sum, score_n, certified in raw["status"]:
        want["enrolled"] += n
        want[status] = want.get(status, 0) + n
        want["score_sum"] += score_sum
        want["score_n"] += score_n
        want["certified"] += certified
        if required:
            want["required_total"] += n
            want["required_completed"] += n if status == "completed" else 0
    problems = [f"{k}: dashboard {head[k]} raw {v}" for k, v in want.items() if head[k] != v]
    if head["overdue"] != sum(raw["overdue_course"].values()):
        problems.append("overdue differs")
    if (head["members"], head["activated"]) != tuple(raw["members"]):
        problems.append("members/activated differ")
    for row in figures["courses"]:
        if row["overdue"] != raw["overdue_course"].get(row["course_id"], 0):
            problems.append(f"course {row['course_id']} overdue differs")
        median = raw["median"].get(row["course_id"])
        if (row["median_days"] or (None,))[0] != median:
            problems.append(f"course {row['course_id']} median {row['median_days']} vs {median}")
    for week in figures["weeks"]:
        if week["completions"] != raw["weeks"].get(week["start"], 0):
            problems.append(f"week {week['start']} completions differ")
    by_unit = {}
    for unit, _required, _status, n in raw["status_unit"]:
        by_unit[unit] = by_unit.get(unit, 0) + n
    if sum(r["enrolled"] for r in figures["breakdown"]) != sum(by_unit.values()):
        problems.append("per-unit enrolled totals differ")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--requests", type=int, default=9)
    parser.add_argument(
        "--recompute",
        action="store_true",
        help="time the nightly recompute even when the aggregates exist",
    )
    args = parser.parse_args()
    agency = generate(learners=args.learners, per_learner=args.per_learner)
    if args.recompute or not EnrollmentCount.objects.filter(agency=agency).exists():
        started = time.perf_counter()
        drift = aggregates_recompute_agency(agency_id=agency.pk)
        log(
            f"Nightly recompute of the agency ({len(drift):,} cells built or repaired): "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        snapshots_write(day=timezone.localdate() - datetime.timedelta(days=1))
        log(f"Snapshot of yesterday: {time.perf_counter() - started:.1f} s")
    enrollments = agency.enrollments.count()
    log(
        f"Enrollments in the agency: {enrollments:,}; aggregate rows: "
        f"{EnrollmentCount.objects.filter(agency=agency).count():,} status cells"
    )

    client = Client()
    client.force_login(bench_admin())
    client.get("/reports/")  # warm up
    times = []
    for _ in range(args.requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/reports/")
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    dashboard_ms = median(times) * 1000

    today = timezone.localdate()
    figures = dashboard_figures(dashboard_scope(bench_admin()), today=today)
    first_week = figures["weeks"][0]["start"]
    raw_times = []
    for _ in range(max(3, args.requests // 3)):
        started = time.perf_counter()
        raw = raw_figures(agency.pk, today, first_week)
        raw_times.append(time.perf_counter() - started)
    raw_ms = median(raw_times) * 1000
    problems = compare(figures, raw)

    log(
        f"Dashboard view (server time, median of {args.requests}): {dashboard_ms:.1f} ms, "
        f"{len(queries)} queries"
    )
    log(f"Raw SQL aggregates over the enrollments (median of {len(raw_times)}): {raw_ms:.1f} ms")
    log(
        f"Ratio dashboard / raw SQL: {dashboard_ms / raw_ms:.3f} (target <= 0.3; "
        f"dashboard target < 150 ms)"
    )
    log("Figures identical: " + ("yes" if not problems else "NO\n  " + "\n  ".join(problems)))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
