"""The enrollment aggregate cells computed by PostgreSQL: one GROUP BY per table.

The same meaning as `reports.services.aggregates.contributions()` (which the live updates and
the nightly recompute use), written as SQL from each model's KEY_FIELDS: its last key says what
the row counts (status: every enrollment; due_on: open enrollments with a due date; day, week,
bucket: completions in the agency's own calendar). bench/scale.py uses it to build the rows of
20,000,000 enrollments in minutes, then has the app's own recompute confirm them (no drift), and
to measure what a recompute in the database would cost.
"""

import time
from contextlib import nullcontext

from django.conf import settings
from django.db import connection, transaction

from reports.models import ENROLLMENT_AGGREGATE_MODELS
from reports.services.aggregates import DAY_BUCKETS

COMPLETED = "e.status = 'completed' AND e.completed_at IS NOT NULL"
LOCAL_DAY = "(e.completed_at AT TIME ZONE COALESCE(NULLIF(a.time_zone, ''), %s))::date"
DAYS = (
    "GREATEST(floor(extract(epoch FROM e.completed_at - coalesce(e.started_at, e.completed_at))"
    " / 86400)::int, 0)"
)


def _bucket_sql() -> str:
    """DAY_BUCKETS as a CASE: the first day of the bucket holding `x.days`."""
    cases = " ".join(
        f"WHEN x.days >= {first} THEN {first}" for first in sorted(DAY_BUCKETS, reverse=True)
    )
    return f"CASE {cases} END"


# What each key field is, computed from an enrollment row `e` and its agency `a`.
KEY_SQL = {
    "agency_id": "e.agency_id",
    "unit_id": "e.unit_id",
    "course_id": "e.course_id",
    "required": "e.required",
    "status": "e.status",
    "due_on": "e.due_on",
    "day": LOCAL_DAY,
    "week": f"date_trunc('week', {LOCAL_DAY})::date",
    "bucket": _bucket_sql(),
}
# Which enrollments a table counts, by its last key field.
WHERE_SQL = {
    "status": "TRUE",
    "due_on": "e.due_on IS NOT NULL AND e.status <> 'completed'",
    "day": COMPLETED,
    "week": COMPLETED,
    "bucket": COMPLETED,
}
VALUE_SQL = {
    "n": "count(*)",
    "score_sum": f"coalesce(sum(e.final_score) FILTER (WHERE {COMPLETED}), 0)",
    "score_n": f"count(e.final_score) FILTER (WHERE {COMPLETED})",
    "certified": f"count(*) FILTER (WHERE {COMPLETED} AND ct.id IS NOT NULL "
    "AND ct.revoked_at IS NULL)",
}


def cells_select(model, agency_id: int | None = None) -> tuple[str, list]:
    """SELECT key fields..., value fields... of `model`'s cells (one agency, or all)."""
    keys = [KEY_SQL[f] for f in model.KEY_FIELDS]
    values = [VALUE_SQL[f] for f in model.VALUE_FIELDS]
    where = WHERE_SQL[model.KEY_FIELDS[-1]]
    params = [settings.TIME_ZONE] * sum(k.count("%s") for k in keys)
    if agency_id is not None:
        where += " AND e.agency_id = %s"
        params.append(agency_id)
    join = (
        " LEFT JOIN learning_certificate ct ON ct.enrollment_id = e.id"
        if "certified" in model.VALUE_FIELDS
        else ""
    )
    group = ", ".join(str(i + 1) for i in range(len(keys)))
    sql = (
        f"SELECT {', '.join(keys + values)} FROM learning_enrollment e "
        f"JOIN agencies_agency a ON a.id = e.agency_id{join} "
        f"CROSS JOIN LATERAL (SELECT {DAYS} AS days) x WHERE {where} GROUP BY {group}"
    )
    return sql, params


def cells_insert(model) -> float:
    """Fill `model`'s (empty) table for every agency; returns the seconds it took."""
    columns = [model._meta.get_field(f).column for f in (*model.KEY_FIELDS, *model.VALUE_FIELDS)]
    select, params = cells_select(model)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) {select}", params
        )
    return time.perf_counter() - started


def cells_build(log, bare=None) -> float:
    """Every enrollment aggregate table, built by SQL in one transaction; `bare(cursor, tables,
    log)`, when given, drops their indexes and foreign keys meanwhile and rebuilds them (much
    faster than maintaining them row by row). Returns the total seconds."""
    tables = [model._meta.db_table for model in ENROLLMENT_AGGREGATE_MODELS]
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        with bare(cursor, tables, log) if bare else nullcontext():
            for model in ENROLLMENT_AGGREGATE_MODELS:
                elapsed = cells_insert(model)
                total += elapsed
                log(f"  {model.__name__}: {model.objects.count():,} rows in {elapsed:.1f} s")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return total


def cells_fetch(model, agency_id: int | None = None) -> dict:
    """{(model, *key): {value: amount}} as the database computes them (to compare with the
    Python expectation, reports.services.recompute.expected_cells)."""
    sql, params = cells_select(model, agency_id)
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(model.KEY_FIELDS)
        for row in cursor.fetchall():
            out[(model, *row[:width])] = dict(zip(model.VALUE_FIELDS, row[width:], strict=True))
    return out
