"""Querysets compiled to SQL once per process, then run with new parameter values.

Building and compiling an ORM query costs far more CPU than running it on a small indexed read
(docs/performance.md, "CPU per request"): a page of a few such reads spends most of its time in
`filter()` and `as_sql()`. `prepared` builds the queryset once, with a marker in place of each
argument, compiles it for the database in use, and keeps the SQL, where each marker sits in its
parameters and the converters the ORM would apply to the rows. A call runs that SQL with the
real values and returns what the queryset would have returned (`values()` dicts, `values_list()`
tuples, or flat values), as a list.

    @prepared(user_id=int, slug=str)
    def enrollment_row(user_id, slug):
        return Enrollment.objects.filter(user_id=user_id, course__slug=slug).values("pk", "status")

    enrollment_row(user_id=7, slug="ai-basics")  # [{"pk": 3, "status": "active"}]

Every value that may change between calls must be an argument (the clock, the language, the
acting user); anything else in the builder is frozen at the first call. Arguments are `int`,
`str`, `date` or `datetime` values; not a flag (it cannot be told apart among the parameters:
prepare one builder per value), nor a list of variable length (the SQL's shape would change). A
builder whose SQL does not carry an argument as a plain parameter fails on its
first call, so a test of the caller catches it.

On PostgreSQL the statement is also prepared on the server (`ACADEMY_PREPARED_STATEMENTS`, on
unless DJANGO_DB_PREPARED_STATEMENTS is false): Django's cursors bind parameters on the client,
so PostgreSQL would parse and plan the SQL on every call, which costs several times running
these small indexed reads (docs/performance.md, "Server-side prepared statements"). The rest of
the ORM keeps Django's client-side binding.
"""

import datetime
import threading
from collections.abc import Callable
from functools import cache, wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import (
    FlatValuesListIterable,
    ValuesIterable,
    ValuesListIterable,
)

_KINDS = (int, str, datetime.date, datetime.datetime)
_MAX_STATEMENTS = 64  # per builder: one per database and thread


class PreparedQueryError(TypeError):
    """The builder's queryset cannot be prepared (see the module's docstring)."""


def _marker(kind: type, index: int):
    if kind is int:
        return -2_000_000_000 + 7_919 * index
    if kind is str:
        return f"\x1fprepared-argument-{index}\x1f"
    if kind is datetime.datetime:
        return datetime.datetime(1901, 2, 3, 4, 5, index % 60, 7_000 + index, tzinfo=datetime.UTC)
    if kind is datetime.date:
        return datetime.date(1901, 3, 1 + index % 28)
    raise PreparedQueryError(f"unsupported argument type {kind!r}; use one of {_KINDS}")


def _adapt(connection, kind: type, value):
    """The value as the ORM passes it to the driver for a field of this kind."""
    if value is None:
        return None
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is datetime.date:
        return connection.ops.adapt_datefield_value(value)
    if kind is int:
        return bigint_argument(connection, value)
    return value


# psycopg prepares a statement on a connection only while the connection's threshold is set
# (Django sets it to None); this one is never reached, so only the cursor below prepares.
_PREPARE_ONLY_WHEN_ASKED = 2**62


@cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds on the server and runs the statement prepared on this connection (psycopg
        keeps one name per connection, SQL and parameter types, and prepares it on the
        connection's first call, so a new connection prepares it again)."""

        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

        def _send_query_prepared(self, name, pgq, **kwargs):
            # Django logs `_query` (django_assert_num_queries, connection.queries), which
            # psycopg records only when a statement runs unprepared.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, **kwargs)

    return PreparingCursor


def server_bound(connection) -> bool:
    """Whether statements built once per process run prepared on this database's server."""
    return connection.vendor == "postgresql" and settings.ACADEMY_PREPARED_STATEMENTS


def statement_cursor(connection):
    """A cursor for SQL built once per process (here, or by hand as in learning/compiled.py):
    on PostgreSQL, unless switched off, Django's cursor wrapper (query logging and counting as
    for any query) around a psycopg cursor that binds on the server and runs each statement
    prepared on this connection; elsewhere Django's own cursor. Pass its int arguments through
    `bigint_argument`, so every value runs the same prepared statement."""
    if not server_bound(connection):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _PREPARE_ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(raw))


def bigint_argument(connection, value):
    """An int argument of a `statement_cursor` statement: bound on the server, always as a
    bigint (psycopg would pick int2, int4, int8 or numeric by its magnitude, and each would be
    a statement of its own, with its own parameter types)."""
    if value is None or type(value) is not int or not server_bound(connection):
        return value
    from psycopg.types.numeric import Int8

    return Int8(value)


class _Statement:
    def __init__(self, builder, kinds: dict[str, type], alias: str):
        connection = connections[alias]
        markers = {name: _marker(kind, i) for i, (name, kind) in enumerate(kinds.items())}
        queryset = builder(**markers)
        iterable = queryset._iterable_class
        if iterable not in (ValuesIterable, ValuesListIterable, FlatValuesListIterable):
            raise PreparedQueryError(
                "prepare a values() or values_list() queryset (not model instances, not named)"
            )
        query = queryset.query
        compiler = query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots: list[tuple[int, str]] = []
        for name, marker in markers.items():
            adapted = _adapt(connection, kinds[name], marker)
            positions = [i for i, p in enumerate(self.params) if p == adapted]
            if not positions:
                raise PreparedQueryError(
                    f"argument {name!r} does not reach the SQL as a plain parameter"
                )
            self.slots.extend((i, name) for i in positions)
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.compiler = compiler
        self.kinds = kinds
        self.shape = iterable
        if query.selected:
            self.names = list(query.selected)
        else:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def run(self, connection, arguments: dict) -> list:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = _adapt(connection, self.kinds[name], arguments[name])
        with statement_cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        if self.shape is FlatValuesListIterable:
            return [row[0] for row in rows]
        if self.shape is ValuesListIterable:
            return [tuple(row) for row in rows]
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in rows]


def prepared(**kinds: type) -> Callable:
    """Decorate a builder of a values()/values_list() queryset taking these keyword arguments
    (name=type): calls run its SQL, compiled once per process, database and thread."""
    for kind in kinds.values():
        if kind not in _KINDS:
            raise PreparedQueryError(f"unsupported argument type {kind!r}; use one of {_KINDS}")

    def decorate(builder):
        statements: dict[tuple[str, int], _Statement] = {}

        @wraps(builder)
        def run(*, using: str = DEFAULT_DB_ALIAS, **arguments) -> list:
            if arguments.keys() != kinds.keys():
                raise TypeError(f"{builder.__name__}() takes exactly {sorted(kinds)}")
            key = (using, threading.get_ident())
            statement = statements.get(key)
            if statement is None:
                if len(statements) >= _MAX_STATEMENTS:
                    statements.clear()
                statement = statements[key] = _Statement(builder, kinds, using)
            return statement.run(connections[using], arguments)

        run.clear = statements.clear  # tests that change settings the SQL depends on
        return run

    return decorate
