"""Keyset cursor pagination over a stable order (a timestamp then the id, or the id alone).

The cursor is the last row's sort key, opaque to the client: the next page starts strictly after
it, so a row is never skipped nor repeated while it does not change, and a row that changes
moves to the end (its new `updated_at`), where a later page or a later sync finds it. Each page
is one query on an index, however deep."""

import base64
import datetime
import json
from contextlib import contextmanager
from urllib.parse import urlencode

from django.conf import settings
from django.db import connections
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


@contextmanager
def _native_timestamps(using: str):
    """On PostgreSQL (psycopg 3) in UTC, times are read by psycopg's own C loader for the
    block, instead of Django's loader written in Python, which parses every `timestamptz` text
    in Python: 4 times a row, it took most of a 1,000-row page's time (docs/performance.md).
    The values are the same (aware, UTC); the connection gets Django's loader back after."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.timezone != datetime.UTC:
        yield
        return
    from psycopg import adapters as psycopg_adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    connection.ensure_connection()
    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    native = psycopg_adapters.get_loader(oid, Format.TEXT)

    class NativeTzLoader(Loader):
        timezone = datetime.UTC  # what Django checks before it puts its own loader back

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # The C loader's own method: the row loop calls it without a Python frame between.
            self.load = native(oid, context).load

        def load(self, data):  # replaced per instance above
            raise NotImplementedError

    django_loader = adapters.get_loader(oid, Format.TEXT)
    adapters.register_loader(oid, NativeTzLoader)
    try:
        yield
    finally:
        adapters.register_loader(oid, django_loader)


@contextmanager
def _binary_rows(using: str):
    """On PostgreSQL (psycopg 3) in UTC, the block's queries get their results in PostgreSQL's
    binary format, by a cursor binding its parameters on the server: integers and times are
    then copied rather than written as text by PostgreSQL and parsed back by psycopg (half the
    process's time to fetch a 5,000-row page, docs/performance.md, "Fourth pass"). For the
    columns of a feed whose values read alike either way (tested on PostgreSQL against the
    text format): not JSON, which Django reads from text. Otherwise as `_native_timestamps`."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.timezone != datetime.UTC:
        with _native_timestamps(using):
            yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.pq import Format

    class BinaryCursor(ServerBindingCursor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.format = Format.BINARY

        def execute(self, query, params=None, **kwargs):
            # Never a prepared statement (psycopg prepares a query run 5 times on a
            # connection): a plan made for each cursor, as Django's own cursors have.
            return super().execute(query, params, prepare=False)

    connection.ensure_connection()
    raw = connection.connection
    text_factory = raw.cursor_factory
    raw.cursor_factory = BinaryCursor
    try:
        yield
    finally:
        raw.cursor_factory = text_factory


def _sort_key(row, ordering, columns) -> list:
    """The row's values of the ordering's fields: a model instance, a `values()` dict, or a
    `values_list(*columns)` tuple."""
    if isinstance(row, tuple):
        return [row[columns.index(field)] for field in ordering]
    if isinstance(row, dict):
        return [row[field] for field in ordering]
    return [getattr(row, field) for field in ordering]


class KeysetPagination(BasePagination):
    """`ordering`: ("updated_at", "id") or ("id",), set by the view (`keyset_ordering`); a view
    that pages tuples names their columns (`feed_columns`), and may have them read in
    PostgreSQL's binary format (`binary_rows`, `_binary_rows`)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    @staticmethod
    def _max_page_size(view) -> int:
        """API_PAGE_SIZE_MAX; a sync feed's own, larger maximum (`max_page_size_setting`)."""
        return getattr(settings, getattr(view, "max_page_size_setting", "API_PAGE_SIZE_MAX"))

    def _page_size(self, request, view) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["A whole number is required."]}) from None
        if size < 1:
            raise ValidationError({"page_size": ["Ask for at least 1."]})
        return min(size, self._max_page_size(view))

    @staticmethod
    def encode(values) -> str:
        plain = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
        return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")

    def _decode(self, raw, ordering):
        try:
            padded = raw + "=" * (-len(raw) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(values, list) or len(values) != len(ordering):
                raise ValueError
            decoded = []
            for field, value in zip(ordering, values, strict=True):
                if field.endswith("id"):
                    if not isinstance(value, int) or isinstance(value, bool):
                        raise ValueError
                    decoded.append(value)
                else:
                    moment = datetime.datetime.fromisoformat(value)
                    if moment.tzinfo is None:
                        raise ValueError
                    decoded.append(moment)
            return decoded
        except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
            raise ValidationError({"cursor": ["This cursor is not valid."]}) from None

    def paginate_queryset(self, queryset, request, view=None):
        ordering = tuple(getattr(view, "keyset_ordering", ("id",)))
        self.ordering, self.request = ordering, request
        size = self._page_size(request, view)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            after = self._decode(raw, ordering)
            if len(ordering) == 2:
                first, second = ordering
                # `(first, second) > (a, b)` as a row comparison (Django's tuple lookup): on
                # PostgreSQL the index scan starts exactly at the cursor, even among thousands
                # of rows stamped at the same instant (a bulk assignment). Elsewhere it is
                # `first > a OR (first = a AND second > b)`, only a filter: the redundant
                # `first >= a` starts the scan at the cursor's instant there, so no page
                # rescans the rows before it (quadratic over a sync of a million rows).
                queryset = queryset.filter(
                    Q(**{f"{first}__gte": after[0]}),
                    TupleGreaterThan(Tuple(F(first), F(second)), after),
                )
            else:
                queryset = queryset.filter(**{f"{ordering[0]}__gt": after[0]})
        fetching = _binary_rows if getattr(view, "binary_rows", False) else _native_timestamps
        with fetching(queryset.db):
            rows = list(queryset.order_by(*ordering)[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        columns = tuple(getattr(view, "feed_columns", ()))
        self.next_cursor = (
            self.encode(_sort_key(rows[-1], ordering, columns)) if rows else raw or None
        )
        return rows

    def _link(self, cursor):
        params = self.request.query_params.copy()
        params[self.cursor_query_param] = cursor
        return self.request.build_absolute_uri(
            self.request.path + "?" + urlencode(sorted(params.items()))
        )

    def get_paginated_response(self, data):
        return Response(
            {
                # Where to go on: `next` while more rows are there now; `cursor` always, to
                # store and come back with later for what changed since.
                "next": self._link(self.next_cursor) if self.has_next else None,
                "cursor": self.next_cursor,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "cursor": {"type": "string", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        setting = getattr(view, "max_page_size_setting", "API_PAGE_SIZE_MAX")
        most = self._max_page_size(view)
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `cursor` of the previous page (or of the last sync).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {setting}, {most} by default).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
