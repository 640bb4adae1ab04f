"""Extension points of `reports` (see academy/registry.py), filled from `AppConfig.ready()`.

- `report_kinds`: the reports a manager can request or subscribe to. A kind has a label and a
  `rows(scope)` function yielding the header, then one tuple per row (streamed, see
  reports/services/exporters.py). The request form, the model's choices and the report task
  read this registry. Built-in: completion, overdue, adoption.
- `dashboard_panels`: the sections of the manager dashboard, in order. A panel is a template
  included with the dashboard's context, plus (optionally) `data(scope)`, whose result the
  template gets as `panel_data`. Built-in: headline, funnel, trend, courses, breakdown.
- `aggregate_sources`: what the nightly recompute rebuilds the aggregate tables from. A source
  lists the tables it fills (the first one is locked while it is recomputed) and computes
  `expected(agency_id)`, the cells {(model, *key fields): {value field: value}}. Each model
  has an `agency` and declares `KEY_FIELDS` and `VALUE_FIELDS`, like the built-in cells.
  Built-in: enrollments (the enrollment tables), members (MemberCount).

The built-ins are registered first, by `ReportsConfig.ready()`; downstream apps (live-session
attendance, a federal training feed) register theirs from their own `ready()`.

This module imports no model: reports/models.py reads `report_kind_choices` from it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from academy.registry import Registry


@dataclass(frozen=True)
class ReportType:
    """One kind of report."""

    label: str
    rows: Callable  # rows(scope: DashboardScope) -> iterable: header, then row tuples
    # Optional fast path for CSV: csv_copy(scope, fileobj, progress=) writes the same file as
    # the rows would and returns the row count, or None when it cannot (then rows are used).
    csv_copy: Callable | None = None


@dataclass(frozen=True)
class DashboardPanel:
    """One section of the manager dashboard."""

    template: str
    data: Callable | None = None  # data(scope: DashboardScope) -> given as `panel_data`


@dataclass(frozen=True)
class AggregateSource:
    """Aggregate tables and how to recompute one agency's cells of them."""

    models: tuple  # the aggregate models it fills; the first is locked during a recompute
    expected: Callable  # expected(agency_id) -> {(model, *key): {field: value}}


report_kinds: Registry[ReportType] = Registry("report kinds")
dashboard_panels: Registry[DashboardPanel] = Registry("dashboard panels")
aggregate_sources: Registry[AggregateSource] = Registry("aggregate sources")


def report_kind_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered report kind, for forms and the model's choices."""
    return [(key, kind.label) for key, kind in report_kinds.items()]


def aggregate_models() -> tuple:
    """Every aggregate model of every registered source, once each, in registration order."""
    return tuple(
        dict.fromkeys(model for source in aggregate_sources.values() for model in source.models)
    )
