"""Keyset cursor pagination over a stable order (a timestamp then the id, or the id alone).

The cursor is the last row's sort key, opaque to the client: the next page starts strictly after
it, so a row is never skipped nor repeated while it does not change, and a row that changes
moves to the end (its new `updated_at`), where a later page or a later sync finds it. Each page
is one query on an index, however deep."""

import base64
import datetime
import json
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


def _sort_key(row, ordering) -> list:
    """The row's values of the ordering's fields: a model instance, or a `values()` dict."""
    if isinstance(row, dict):
        return [row[field] for field in ordering]
    return [getattr(row, field) for field in ordering]


class KeysetPagination(BasePagination):
    """`ordering`: ("updated_at", "id") or ("id",), set by the view (`keyset_ordering`)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["A whole number is required."]}) from None
        if size < 1:
            raise ValidationError({"page_size": ["Ask for at least 1."]})
        return min(size, settings.API_PAGE_SIZE_MAX)

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
        size = self._page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            after = self._decode(raw, ordering)
            if len(ordering) == 2:
                first, second = ordering
                # The redundant `first >= ...` lets the database start the index scan at the
                # cursor; the OR alone is only a filter, so every page would rescan all the rows
                # before it (quadratic over a sync of a million rows).
                queryset = queryset.filter(
                    Q(**{f"{first}__gte": after[0]}),
                    Q(**{f"{first}__gt": after[0]})
                    | Q(**{first: after[0], f"{second}__gt": after[1]}),
                )
            else:
                queryset = queryset.filter(**{f"{ordering[0]}__gt": after[0]})
        rows = list(queryset.order_by(*ordering)[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = self.encode(_sort_key(rows[-1], ordering)) if rows else raw or None
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
                "description": "Rows per page (at most API_PAGE_SIZE_MAX, 1000 by default).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
