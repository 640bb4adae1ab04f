"""What keeps the nightly recompute under an hour at national scale: measurements for
bench/scale.py --analyse (each prints what it found; nothing here changes the app's rows).

1. Where one agency's recompute spends its time: locking its enrollments, reading their states,
   turning them into cells (Python), reading the stored cells.
2. The same cells computed by PostgreSQL (GROUP BY, bench/_cells_sql.py) and compared in SQL,
   for one agency and for all of them.
3. An incremental recompute "by changed rows since the last run": how many enrollments changed
   in the last 24 hours, which unit x course groups they touch, and what recomputing only those
   groups reads and costs.
4. Partitions: the recompute's read of one agency's enrollments from the shared heap (rows of
   every agency interleaved, as in production) against the same rows in a table partitioned by
   agency (a copy made for the measurement, dropped afterwards).
"""

import time

from _setup import log  # noqa: I001
from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from learning.events import states_streamed
from learning.models import Enrollment
from reports.models import ENROLLMENT_AGGREGATE_MODELS
from reports.services.aggregates import contributions
from reports.services.recompute import CHUNK, _stored_cells


def _seconds(started):
    return time.perf_counter() - started


def phases(agency, n):
    """1. The phases of aggregates_recompute_agency for one agency."""
    with transaction.atomic():
        started = time.perf_counter()
        locked = len(
            Enrollment.objects.select_for_update()
            .filter(agency_id=agency.pk)
            .values_list("id", flat=True)
        )
        lock = _seconds(started)
        transaction.set_rollback(True)
    started = time.perf_counter()
    states = list(states_streamed(Enrollment.objects.filter(agency_id=agency.pk), chunk_size=CHUNK))
    read = _seconds(started)
    started = time.perf_counter()
    cells = {}
    for state in states:
        for key, values in contributions(state).items():
            cell = cells.setdefault(key, {})
            for field, amount in values.items():
                cell[field] = cell.get(field, 0) + amount
    python = _seconds(started)
    started = time.perf_counter()
    stored = 0
    for model in ENROLLMENT_AGGREGATE_MODELS:
        stored += len(_stored_cells(model, agency.pk))
    stored_s = _seconds(started)
    log(
        f"  {agency.slug} ({n:,} enrollments, {len(cells):,} cells): lock {locked:,} rows "
        f"{lock:.1f} s; read states {read:.1f} s; contributions {python:.1f} s; read "
        f"{stored:,} stored cells {stored_s:.1f} s"
    )
    return {"lock": lock, "read": read, "python": python, "stored": stored_s}


def sql_compare(cells_sql, model, agency_id=None):
    """Cells computed by PostgreSQL compared with the stored rows in SQL: the differing keys."""
    select, params = cells_sql.cells_select(model, agency_id)
    keys = list(model.KEY_FIELDS)
    values = list(model.VALUE_FIELDS)
    columns = [model._meta.get_field(f).column for f in keys + values]
    table = model._meta.db_table
    where = f"WHERE s.agency_id = {int(agency_id)}" if agency_id is not None else ""
    # Hash-joinable conditions (a FULL JOIN needs them): the one nullable key, the unit, as -1.
    on = " AND ".join(
        f"coalesce(w.{c}, -1) = coalesce(s.{c}, -1)"
        if model._meta.get_field(f).null
        else f"w.{c} = s.{c}"
        for f, c in zip(keys, columns, strict=False)
    )
    differ = " OR ".join(f"coalesce(w.{c}, 0) <> coalesce(s.{c}, 0)" for c in columns[len(keys) :])
    sql = (
        f"WITH w ({', '.join(columns)}) AS ({select}), "
        f"s AS (SELECT {', '.join(columns)} FROM {table} s {where}) "
        f"SELECT count(*) FROM w FULL JOIN s ON {on} WHERE {differ}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def sql_recompute(cells_sql, agency=None):
    """2. Every enrollment table's cells by SQL, compared in SQL with the stored rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")
    differing = sum(
        sql_compare(cells_sql, model, agency.pk if agency else None)
        for model in ENROLLMENT_AGGREGATE_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute("RESET work_mem")
    elapsed = _seconds(started)
    log(
        f"  in SQL ({agency.slug if agency else 'every agency'}): all "
        f"{len(ENROLLMENT_AGGREGATE_MODELS)} tables recomputed and compared in {elapsed:,.1f} s, "
        f"{differing} cells differ"
    )
    return elapsed


def incremental():
    """3. Recomputing only the unit x course groups with a change in the last 24 hours."""
    with connection.cursor() as cursor:
        cursor.execute(
            """CREATE TEMP TABLE bench_changed AS
               SELECT DISTINCT agency_id, unit_id, course_id FROM learning_enrollment
               WHERE greatest(created_at, started_at, completed_at) >= now() - interval '1 day'"""
        )
        cursor.execute(
            """SELECT count(*) FROM learning_enrollment
               WHERE greatest(created_at, started_at, completed_at) >= now() - interval '1 day'"""
        )
        changed = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_changed")
        groups = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(DISTINCT (agency_id, unit_id, course_id)) FROM learning_enrollment"
        )
        all_groups = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM learning_enrollment e JOIN bench_changed g
               ON g.agency_id = e.agency_id AND g.unit_id IS NOT DISTINCT FROM e.unit_id
               AND g.course_id = e.course_id"""
        )
        reread = cursor.fetchone()[0]
    started = time.perf_counter()
    ids = Enrollment.objects.filter(
        pk__in=RawSQL(
            "SELECT e.id FROM learning_enrollment e JOIN bench_changed g "
            "ON g.agency_id = e.agency_id AND g.unit_id IS NOT DISTINCT FROM e.unit_id "
            "AND g.course_id = e.course_id",
            [],
        )
    )
    cells = 0
    seen = set()
    for state in states_streamed(ids, chunk_size=CHUNK):
        for key in contributions(state):
            if key not in seen:
                seen.add(key)
                cells += 1
    elapsed = _seconds(started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_changed")
    log(
        f"  {changed:,} enrollments changed in the last 24 h, touching {groups:,} of "
        f"{all_groups:,} unit x course groups; recomputing those groups reads {reread:,} "
        f"enrollments ({cells:,} cells) in {elapsed:,.1f} s"
    )
    return elapsed


STATE_SQL = """SELECT e.agency_id, e.unit_id, e.course_id, e.required, e.status, e.due_on,
       e.started_at, e.completed_at, e.final_score, ct.id, ct.revoked_at, a.time_zone
FROM {table} e JOIN agencies_agency a ON a.id = e.agency_id
LEFT JOIN learning_certificate ct ON ct.enrollment_id = e.id WHERE e.agency_id = %s"""


def _read_ms(table, agency_id):
    """Execution time (ms) of the recompute's read of one agency's rows, cache warmed once."""
    with connection.cursor() as cursor:
        sql = STATE_SQL.format(table=table)
        cursor.execute(f"SELECT count(*) FROM ({sql}) q", [agency_id])
        runs = []
        for _ in range(3):
            cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", [agency_id])
            runs.append(cursor.fetchone()[0][0]["Execution Time"])
        return sorted(runs)[1]


def partitions(agencies, sizes):
    """4. Reading one agency's rows: the shared heap against a table partitioned by agency."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_enrollment_parts")
        cursor.execute(
            "CREATE TABLE bench_enrollment_parts (LIKE learning_enrollment) "
            "PARTITION BY LIST (agency_id)"
        )
        for agency in agencies:
            cursor.execute(
                f"CREATE TABLE bench_enrollment_parts_{agency.pk} PARTITION OF "
                f"bench_enrollment_parts FOR VALUES IN ({agency.pk})"
            )
        cursor.execute("INSERT INTO bench_enrollment_parts SELECT * FROM learning_enrollment")
        cursor.execute("VACUUM ANALYZE bench_enrollment_parts")
    built = _seconds(started)
    log(f"  a copy partitioned by agency (100 partitions) built in {built:,.1f} s")
    picks = [agencies[0], agencies[len(agencies) // 2], agencies[-1]]
    for agency in picks:
        shared = _read_ms("learning_enrollment", agency.pk)
        parted = _read_ms("bench_enrollment_parts", agency.pk)
        log(
            f"  read {agency.slug} ({sizes.get(agency.pk, 0):,} enrollments): shared heap "
            f"{shared:,.0f} ms, its partition {parted:,.0f} ms"
        )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_enrollment_parts")


def analyse(agencies, sizes, cells_sql):
    log("Analysis (what would keep the nightly recompute under an hour):")
    log(f" 1. Phases of one agency's recompute (Python path; site time zone {settings.TIME_ZONE}):")
    for agency in (agencies[0], agencies[len(agencies) // 2]):
        phases(agency, sizes.get(agency.pk, 0))
    log(" 2. The same cells computed and compared by PostgreSQL:")
    sql_recompute(cells_sql, agencies[0])
    sql_recompute(cells_sql)
    log(" 3. Incremental, by the unit x course groups changed since the last run:")
    incremental()
    log(" 4. Partitions by agency:")
    partitions(agencies, sizes)
