"""COPY helpers for the benchmarks' bulk data (bench/_national.py): text rows in batches, time
stamps as text, and a table stripped of its secondary indexes and foreign keys while it loads.

Free of Django: every function takes a psycopg-backed cursor (Django's `connection.cursor()`).
"""

import datetime
import time
from contextlib import contextmanager

NULL = "\\N"  # COPY text format


class Clock:
    """Hour- and day-offset text stamps relative to one 'now' (COPY text format)."""

    def __init__(self, now: datetime.datetime):
        self.now = now.replace(minute=0, second=0, microsecond=0)
        self.today = self.now.date()
        self._hours: dict[int, str] = {}
        self._days: dict[int, str] = {}

    def hour(self, hours_ago: int) -> str:
        text = self._hours.get(hours_ago)
        if text is None:
            moment = self.now - datetime.timedelta(hours=hours_ago)
            text = self._hours[hours_ago] = moment.strftime("%Y-%m-%d %H:%M:%S+00")
        return text

    def day(self, offset: int) -> str:
        text = self._days.get(offset)
        if text is None:
            text = self._days[offset] = (self.today + datetime.timedelta(days=offset)).isoformat()
        return text


@contextmanager
def bare_tables(cursor, tables, log):
    """Drop the secondary indexes, unique constraints and foreign keys of `tables` (primary
    keys stay), then rebuild them from the definitions PostgreSQL gave before the drop."""
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
           FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')""",
        [list(tables)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in sorted(constraints, key=lambda c: c[3]):  # f first
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '1GB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3], reverse=True):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("RESET maintenance_work_mem")
    log(f"  indexes and constraints rebuilt in {time.perf_counter() - started:.1f} s")


class Writer:
    """COPY text rows in batches (much faster than one write per row)."""

    def __init__(self, copy, batch=20_000):
        self.copy, self.batch, self.lines = copy, batch, []

    def row(self, *values):
        self.lines.append("\t".join(values))
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self):
        if self.lines:
            self.copy.write("\n".join(self.lines) + "\n")
            self.lines = []


def copy_into(cursor, table, columns):
    return cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")


def first_free_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def sync_sequence(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
    )
