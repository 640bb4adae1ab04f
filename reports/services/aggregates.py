"""Aggregate rows kept in step with the enrollments, in the same transaction.

Learning publishes `learning.events.EnrollmentsChanged` inside the transaction that changes
enrollments, with each enrollment's `EnrollmentState` before and after the change (None for
"did not exist" or "deleted"); reports' subscriber hands the pairs to `enrollments_changed`. The difference becomes +/- deltas applied with
`INSERT ... ON CONFLICT DO UPDATE SET n = n + d`, one statement per table, so concurrent
transactions never lose an update and a missing row is simply inserted (SQLite and PostgreSQL).

Everything a state contributes is decided by `contributions()`, which the nightly recompute
(services.recompute) uses too, so live updates and recomputation cannot disagree on meaning.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from learning.events import COMPLETED, EnrollmentState

from ..models import (
    CompletionDay,
    CompletionTime,
    CourseCompletionTime,
    CourseCompletionWeek,
    CourseEnrollmentCount,
    CourseOpenDue,
    EnrollmentCount,
    OpenDueCount,
    UnitCompletionWeek,
    UnitEnrollmentCount,
    UnitOpenDue,
)

# Days-to-complete histogram buckets (each value is a bucket's first day): one bucket per day
# for the first two weeks, then weekly up to 13 weeks, then 30-day buckets up to a year, then
# "a year or more". The median is reported as the bucket that holds it.
DAY_BUCKETS = tuple(range(14)) + tuple(range(14, 91, 7)) + tuple(range(91, 365, 30)) + (365,)


def bucket_for(days: int) -> int:
    return DAY_BUCKETS[bisect.bisect_right(DAY_BUCKETS, max(days, 0)) - 1]


def bucket_range(bucket: int) -> tuple[int, int | None]:
    """(first day, last day) of a bucket; last day is None for the open-ended last bucket."""
    index = DAY_BUCKETS.index(bucket)
    if index + 1 == len(DAY_BUCKETS):
        return bucket, None
    return bucket, DAY_BUCKETS[index + 1] - 1


# (model, agency_id, unit_id, course_id, required, extra key) for the unit x course cells;
# (model, agency_id, unit_id or course_id, required, extra key) for the roll-ups.
Key = tuple


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week holding `day` (the key of the weekly completion rows)."""
    return day - datetime.timedelta(days=day.weekday())


def contributions(state: EnrollmentState | None) -> dict[Key, dict[str, int]]:
    """The aggregate cells one enrollment state adds to, with the amount for each value."""
    if state is None:
        return {}
    base = (state.agency_id, state.unit_id, state.course_id, state.required)
    by_unit = (state.agency_id, state.unit_id, state.required)
    by_course = (state.agency_id, state.course_id, state.required)
    completed = state.status == COMPLETED
    counted = {
        "n": 1,
        "score_sum": state.score or 0,
        "score_n": int(state.score is not None),
        "certified": int(state.certified),
        "imported": int(state.imported),
        "expired": int(state.expired),
    }
    cells = {
        (EnrollmentCount, *base, state.status): counted,
        (UnitEnrollmentCount, *by_unit, state.status): dict(counted),
        (CourseEnrollmentCount, *by_course, state.status): dict(counted),
    }
    if state.due_on is not None and not completed:
        cells[(OpenDueCount, *base, state.due_on)] = {"n": 1}
        cells[(UnitOpenDue, *by_unit, state.due_on)] = {"n": 1}
        cells[(CourseOpenDue, *by_course, state.due_on)] = {"n": 1}
    if completed:
        bucket = bucket_for(state.days_to_complete or 0)
        week = week_of(state.completed_on) if state.completed_on else None
        cells[(CompletionDay, *base, state.completed_on)] = {"n": 1}
        cells[(CompletionTime, *base, bucket)] = {"n": 1}
        cells[(UnitCompletionWeek, *by_unit, week)] = {"n": 1}
        cells[(CourseCompletionWeek, *by_course, week)] = {"n": 1}
        cells[(CourseCompletionTime, *by_course, bucket)] = {"n": 1}
    return cells


def net_deltas(changes: Iterable[tuple[EnrollmentState | None, EnrollmentState | None]]):
    """Sum after-minus-before over many changes; cells whose deltas cancel out are dropped."""
    total: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for before, after in changes:
        if before == after:
            continue
        for sign, state in ((-1, before), (1, after)):
            for key, values in contributions(state).items():
                for field, amount in values.items():
                    total[key][field] += sign * amount
    return {
        key: {f: v for f, v in values.items() if v}
        for key, values in total.items()
        if any(values.values())
    }


# Rows per upsert statement: under the databases' limits on bound parameters (SQLite 32,766,
# PostgreSQL 65,535) for the widest cell (11 columns).
UPSERT_ROWS = 1000


def _upsert_sql(
    model, key_fields: tuple[str, ...], value_fields: tuple[str, ...], has_unit: bool, rows: int
) -> str:
    """INSERT ... ON CONFLICT DO UPDATE adding the values to the existing row (PostgreSQL and
    SQLite). The conflict target names the partial unique index the row falls under: rows
    with a unit, or rows without one (whose index leaves the unit out)."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [model._meta.get_field(f).column for f in (*key_fields, *value_fields)]
    target = [model._meta.get_field(f).column for f in key_fields if has_unit or f != "unit_id"]
    where = ""
    if "unit_id" in key_fields:
        where = f" WHERE {q('unit_id')} IS {'NOT ' if has_unit else ''}NULL"
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(
        f"{q(c)} = {table}.{q(c)} + EXCLUDED.{q(c)}" for c in columns[len(key_fields) :]
    )
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES "
        f"{', '.join([placeholders] * rows)} ON CONFLICT ({', '.join(q(c) for c in target)})"
        f"{where} DO UPDATE SET {updates}"
    )


def _db_value(model, field_name, value):
    return model._meta.get_field(field_name).get_db_prep_value(value, connection)


def apply_deltas(deltas: dict[Key, dict[str, int]]) -> None:
    """Add each delta to its row, inserting missing rows: one statement per table (and per
    unit/no-unit index), race-safe because the database adds to what is stored.

    Tables and rows go in a stable order, so two concurrent batches never lock the same rows in
    opposite orders (docs/architecture.md, "Lock order").
    """
    groups: dict[tuple, list[Key]] = defaultdict(list)
    for key in deltas:
        model = key[0]
        has_unit = "unit_id" not in model.KEY_FIELDS or (
            key[1 + model.KEY_FIELDS.index("unit_id")] is not None
        )
        groups[(model.__name__, has_unit, model)].append(key)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for (_name, has_unit, model), keys in sorted(groups.items(), key=lambda g: g[0][:2]):
            keys.sort(key=lambda k: tuple(map(str, k[1:])))
            value_fields = model.VALUE_FIELDS  # all of them: a new row needs every column
            for start in range(0, len(keys), UPSERT_ROWS):
                chunk = keys[start : start + UPSERT_ROWS]
                params = []
                for key in chunk:
                    params += [
                        _db_value(model, f, v)
                        for f, v in zip(model.KEY_FIELDS, key[1:], strict=True)
                    ]
                    params += [deltas[key].get(f, 0) for f in value_fields]
                cursor.execute(
                    _upsert_sql(model, model.KEY_FIELDS, value_fields, has_unit, len(chunk)), params
                )


def enrollments_changed(
    changes: Iterable[tuple[EnrollmentState | None, EnrollmentState | None]],
) -> None:
    """Apply many (before, after) changes at once; call inside the changing transaction."""
    deltas = net_deltas(changes)
    if deltas:
        apply_deltas(deltas)


def enrollment_changed(*, before: EnrollmentState | None, after: EnrollmentState | None) -> None:
    """Bring the aggregates in step with one enrollment's change (creation: before=None;
    deletion: after=None). Call it inside the transaction that changes the enrollment."""
    enrollments_changed([(before, after)])
