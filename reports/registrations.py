"""The built-in report kinds, dashboard panels and aggregate sources (reports/registries.py),
and the person page offered on the People list (agencies.registries.member_links).

Registered by `ReportsConfig.ready()`, before any downstream app registers its own.
"""

from django.utils.translation import gettext_lazy as _

from agencies.registries import MemberLink, member_links

from .models import ENROLLMENT_AGGREGATE_MODELS, MEMBER_AGGREGATE_MODELS, ReportKind
from .registries import (
    AggregateSource,
    DashboardPanel,
    ReportType,
    aggregate_sources,
    dashboard_panels,
    report_kinds,
)
from .services.csv_copy import completion_csv_copy
from .services.exporters import adoption_rows, completion_rows, overdue_rows
from .services.members import expected_member_cells
from .services.recompute import expected_cells


def register() -> None:
    member_links.register(
        "training", MemberLink(url_name="reports:person", label=_("Training record"))
    )
    for kind, rows, csv_copy in (
        (ReportKind.COMPLETION, completion_rows, completion_csv_copy),
        (ReportKind.OVERDUE, overdue_rows, None),
        (ReportKind.ADOPTION, adoption_rows, None),
    ):
        report_kinds.register(
            kind.value, ReportType(label=kind.label, rows=rows, csv_copy=csv_copy)
        )
    for name in ("headline", "funnel", "trend", "courses", "breakdown"):
        dashboard_panels.register(name, DashboardPanel(template=f"reports/panels/{name}.html"))
    aggregate_sources.register(
        "enrollments", AggregateSource(models=ENROLLMENT_AGGREGATE_MODELS, expected=expected_cells)
    )
    aggregate_sources.register(
        "members", AggregateSource(models=MEMBER_AGGREGATE_MODELS, expected=expected_member_cells)
    )
