"""The lesson page's two reads as SQL built once per process from the models' own metadata.

Compiling the ORM's query for the player's enrollment lookup (two joins, every column) costs
about 1.2 ms of CPU on every lesson page, more than running it (docs/performance.md, "CPU per
request"). These functions issue the same SQL with parameters only and build the same model
instances from the row, with the same database converters the ORM applies; the statements are
built once per process and database alias. tests/learning/test_compiled.py checks they return
what the ORM path returns.
"""

import itertools
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

from academy.prepared import bigint_argument, statement_cursor
from courses.models import Course, CourseVersion

from .models import Enrollment, LessonProgress, QuizAttempt


@lru_cache(maxsize=8)
def _enrollment_statement(alias: str, shared_version: bool = False):
    """(sql, [(model, [[converter...] per field], columns)]) for this database; with
    `shared_version`, the version's id and row token (see `_row_token_sql`) in place of its
    columns, the last two values of the row."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    selects, parts = [], []
    models = ((Enrollment, "e"), (Course, "c"), (CourseVersion, "v"))
    if shared_version:
        models = models[:2]
    for model, table in models:
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            selects.append(f"{table}.{qn(field.column)}")
            col = field.get_col(table)
            converters.append(
                [
                    (conv, col)
                    for conv in connection.ops.get_db_converters(col)
                    + col.get_db_converters(connection)
                ]
            )
        parts.append((model, converters))
    if shared_version:
        selects += [f"v.{qn(CourseVersion._meta.pk.column)}", _row_token_sql(connection)]
        selects += _done_keys_sql(connection)
    enrollment = Enrollment._meta
    sql = (
        f"SELECT {', '.join(selects)} FROM {qn(enrollment.db_table)} e"
        f" INNER JOIN {qn(Course._meta.db_table)} c"
        f" ON c.{qn(Course._meta.pk.column)} = e.{qn(enrollment.get_field('course').column)}"
        f" INNER JOIN {qn(CourseVersion._meta.db_table)} v"
        f" ON v.{qn(CourseVersion._meta.pk.column)} = e.{qn(enrollment.get_field('version').column)}"
        f" WHERE e.{qn(enrollment.get_field('user').column)} = %s"
        f" AND c.{qn(Course._meta.get_field('slug').column)} = %s"
    )
    return sql, parts


def _instance(model, converters, values, connection, alias):
    row = []
    for value, field_converters in zip(values, converters, strict=True):
        for conv, col in field_converters:
            value = conv(value, col, connection)
        row.append(value)
    attnames = _plain_attnames(model)
    if attnames is None or _init_signals_heard(model):
        return model.from_db(alias, None, row)
    # What Model.from_db gives, without Model.__init__'s generic loop (about 50 us for the
    # enrollment and the course): a fresh instance's setattr of each field is a write to its
    # __dict__, the fields being plain (`_plain_attnames`) and no pre/post_init receiver.
    instance = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, alias
    instance.__dict__["_state"] = state
    instance.__dict__.update(zip(attnames, row, strict=True))
    return instance


@lru_cache(maxsize=16)
def _plain_attnames(model) -> tuple[str, ...] | None:
    """The attribute names of the model's concrete fields if Model.__init__ would only store
    each value in the instance's __dict__ (no __init__ or from_db of its own, every field's
    class attribute Django's plain or foreign-key descriptor); else None."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return None
    attnames = []
    for field in model._meta.concrete_fields:
        if type(model.__dict__.get(field.attname)) not in _PLAIN_DESCRIPTORS:
            return None
        attnames.append(field.attname)
    return tuple(attnames)


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _init_signals_heard(model) -> bool:
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


def enrollment_with_course_and_version(
    user_id: int, slug: str, *, shared_version: bool = False
) -> Enrollment | None:
    """`Enrollment.objects.select_related("course", "version").get(user_id=.., course__slug=..)`
    without compiling it: the enrollment with its course and version cached on it, or None.
    (At most one row: one enrollment per learner and course.)

    `shared_version`: the version is this process's instance of it (`shared_version`), to be
    read, never changed: its snapshot is not read and decoded again on every request."""
    alias = DEFAULT_DB_ALIAS
    connection = connections[alias]
    sql, parts = _enrollment_statement(alias, shared_version)
    params = [bigint_argument(connection, user_id), slug]
    if shared_version and connection.vendor in _AGGREGATE:
        params = [_SEPARATOR, _SEPARATOR, *params]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, converters in parts:
        end = start + len(converters)
        instances.append(_instance(model, converters, row[start:end], connection, alias))
        start = end
    if shared_version:
        version = shared_version_instance(alias, row[start], row[start + 1])
        if version is None:  # deleted since (a course deleted): as if not enrolled
            return None
        instances.append(version)
    enrollment, course, version = instances
    Enrollment.course.field.set_cached_value(enrollment, course)
    Enrollment.version.field.set_cached_value(enrollment, version)
    if shared_version and connection.vendor in _AGGREGATE:
        lessons, passed = row[start + 2 :]
        enrollment.done_keys = (
            enrollment.period,
            set(lessons.split(_SEPARATOR)) if lessons else set(),
            set(passed.split(_SEPARATOR)) if passed else set(),
        )
    return enrollment


# The lesson page's enrollment also brings the keys of the lessons done and quizzes passed in its
# period (what `lessons_done_and_quizzes_passed` reads), each set as one string: one statement
# instead of two. Keys are slugs, so the unit separator never occurs in one.
_SEPARATOR = "\x1f"
_AGGREGATE = {"postgresql": "string_agg", "sqlite": "group_concat"}


def _done_keys_sql(connection) -> list[str]:
    aggregate = _AGGREGATE.get(connection.vendor)
    if aggregate is None:
        return []
    qn = connection.ops.quote_name
    progress, attempt = LessonProgress._meta, QuizAttempt._meta

    def col(meta, name):
        return qn(meta.get_field(name).column)

    period = f"e.{qn(Enrollment._meta.get_field('period').column)}"
    pk = f"e.{qn(Enrollment._meta.pk.column)}"
    return [
        f"(SELECT {aggregate}({col(progress, 'lesson_key')}, %s) FROM {qn(progress.db_table)}"
        f" WHERE {col(progress, 'enrollment')} = {pk} AND {col(progress, 'period')} = {period})",
        f"(SELECT {aggregate}({col(attempt, 'quiz_key')}, %s) FROM {qn(attempt.db_table)}"
        f" WHERE {col(attempt, 'enrollment')} = {pk} AND {col(attempt, 'period')} = {period}"
        f" AND {col(attempt, 'passed')})",
    ]


@lru_cache(maxsize=8)
def _done_statement(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    progress, attempt = LessonProgress._meta, QuizAttempt._meta

    def col(meta, name):
        return qn(meta.get_field(name).column)

    return (
        f"SELECT {col(progress, 'lesson_key')}, 0 FROM {qn(progress.db_table)}"
        f" WHERE {col(progress, 'enrollment')} = %s AND {col(progress, 'period')} = %s"
        f" UNION ALL SELECT {col(attempt, 'quiz_key')}, 1 FROM {qn(attempt.db_table)}"
        f" WHERE {col(attempt, 'enrollment')} = %s AND {col(attempt, 'period')} = %s"
        f" AND {col(attempt, 'passed')} = %s"
    )


def lessons_done_and_quizzes_passed(enrollment_id: int, period: int) -> tuple[set, set]:
    """The keys of the lessons done and of the quizzes passed in this period of the enrollment
    (LessonProgress and passed QuizAttempt rows), in one statement."""
    connection = connections[DEFAULT_DB_ALIAS]
    lessons, passed = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(
            _done_statement(DEFAULT_DB_ALIAS),
            [enrollment_id, period, enrollment_id, period, True],
        )
        for key, is_quiz in cursor.fetchall():
            (passed if is_quiz else lessons).add(key)
    return lessons, passed


# Published versions kept per process. A version is never updated once published, except by
# `manage.py rerender_versions` (courses.services.rerender), which rewrites its HTML in place:
# so an entry is keyed on the version's id and its row token, which any write of the row
# changes, read in the same statement as the enrollment. PostgreSQL: the row's `xmin` (the
# transaction that wrote this row version; no need to read the 80 KB snapshot to know it).
# Other databases: the row's own columns (read, not decoded). Each entry gets a serial number,
# `row_serial`, that fragments built from it put in their keys (learning.selectors.lesson_page):
# a re-rendered version is a new entry, so its pages are rendered afresh, without a restart.
VERSIONS_KEPT = 64
_row_serials = itertools.count(1)


def _row_token_sql(connection) -> str:
    if connection.vendor == "postgresql":
        return "v.xmin::text"
    qn = connection.ops.quote_name
    columns = [f"v.{qn(f.column)}" for f in CourseVersion._meta.concrete_fields]
    # Each value as its length, ":" and itself (NULL as "~"): no two rows give the same text.
    values = [f"cast({c} as text)" for c in columns]
    return " || '|' || ".join(f"coalesce(length({v}) || ':' || {v}, '~')" for v in values)


@lru_cache(maxsize=VERSIONS_KEPT)
def shared_version_instance(alias: str, version_id: int, token: str) -> CourseVersion | None:
    """This process's CourseVersion for this id and row token (read once), its snapshot
    decoded once; shared by every request that reads it, so never to be changed."""
    version = CourseVersion.objects.using(alias).filter(pk=version_id).first()
    if version is not None:
        version.row_serial = next(_row_serials)
    return version
