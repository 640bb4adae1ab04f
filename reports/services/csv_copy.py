"""The completion report as CSV at the database's speed: PostgreSQL's COPY writes the rows.

The rows are the same as `exporters.completion_rows` (same scope, same columns, the same
formula-safe text and translated statuses), computed in SQL instead of in Python, and the file
is byte-identical to what `exporters.write_csv` makes of them (tests/reports/test_csv_copy.py
compares the two). Elsewhere than on PostgreSQL the writer declines and the Python path is used.
"""

import logging
from queue import SimpleQueue
from threading import Thread

from django.db import connection
from django.db.models.functions import TruncDate

from ..access import DashboardScope
from .exporters import (
    PROGRESS_EVERY,
    _enrollments,
    _statuses,
    completion_header,
    imported_label,
    write_csv_header,
)

logger = logging.getLogger(__name__)

COLUMNS = (
    "agency",
    "unit",
    "learner",
    "email",
    "course",
    "assigned_on",
    "due_on",
    "status",
    "completed_on",
    "score",
    "code",
    "revoked",
    "imported",
)
FORMULA_START_SQL = "('=', '+', '-', '@', chr(9), chr(13))"


def _safe_sql(column: str) -> str:
    """exporters._safe in SQL: a leading formula character gets a quote; empty text is NULL,
    which COPY writes as an empty unquoted field, as Python's csv writes ''."""
    return (
        f"CASE WHEN left({column}, 1) IN {FORMULA_START_SQL} THEN '''' || {column} "
        f"ELSE NULLIF({column}, '') END"
    )


def completion_values(scope: DashboardScope):
    """The report's rows as raw values, before the text is made formula-safe."""
    return (
        _enrollments(scope)
        .order_by()
        .annotate(assigned_on=TruncDate("created_at"), completed_on=TruncDate("completed_at"))
        .values_list(
            "agency__name",
            "unit__name",
            "user__full_name",
            "user__email",
            "course__title",
            "assigned_on",
            "due_on",
            "status",
            "completed_on",
            "final_score",
            "certificate__code",
            "certificate__revoked_at",
            "imported_at",
        )
    )


def _completion_select(scope: DashboardScope):
    inner, params = completion_values(scope).query.sql_with_params()
    statuses = _statuses()
    status_case = (
        "CASE r.status " + " ".join("WHEN %s THEN %s" for _ in statuses) + " ELSE r.status END"
    )
    status_params = [item for pair in statuses.items() for item in pair]
    select = (
        f"SELECT {_safe_sql('r.agency')}, {_safe_sql('r.unit')}, {_safe_sql('r.learner')}, "
        f"{_safe_sql('r.email')}, {_safe_sql('r.course')}, r.assigned_on, r.due_on, "
        f"{status_case}, r.completed_on, r.score, "
        "CASE WHEN r.revoked IS NULL THEN NULLIF(r.code, '') END, "
        "CASE WHEN r.imported IS NOT NULL THEN %s END "
        f"FROM ({inner}) AS r({', '.join(COLUMNS)})"
    )
    return select, [*status_params, imported_label(), *params]


def completion_csv_copy(scope: DashboardScope, fileobj, *, progress=lambda n: None) -> int | None:
    """Write the completion report as CSV with COPY; the number of rows, or None when the
    database cannot (then the caller writes the rows in Python)."""
    if connection.vendor != "postgresql":
        return None
    select, params = _completion_select(scope)
    write_csv_header(completion_header(), fileobj)
    done = reported = 0
    with connection.cursor() as cursor, _ProgressOnItsOwnConnection(progress) as report:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of Django's API
        with raw.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for chunk in copy:
                fileobj.write(chunk)
                done += bytes(chunk).count(b"\n")
                if done - reported >= PROGRESS_EVERY:
                    reported = done
                    report(done)
        rowcount = raw.rowcount
    return rowcount if rowcount is not None and rowcount >= 0 else done


class _ProgressOnItsOwnConnection:
    """Calls `progress(n)` from a thread of its own, so on a database connection of its own.

    The COPY holds this thread's connection until its last row, and psycopg runs one command at
    a time per connection: a progress `UPDATE` sent on it waits for the COPY, which waits for
    this thread to read on (a deadlock as soon as a report passed PROGRESS_EVERY rows)."""

    def __init__(self, progress):
        self._progress = progress
        self._queue = SimpleQueue()
        self._thread = Thread(target=self._run, name="report-progress", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self._queue.put

    def __exit__(self, *exc_info):
        self._queue.put(None)
        self._thread.join()

    def _run(self):
        try:
            while (done := self._queue.get()) is not None:
                try:
                    self._progress(done)
                except Exception:  # progress is informative; the report goes on
                    logger.exception("Report progress not recorded")
        finally:
            connection.close()  # this thread's own
