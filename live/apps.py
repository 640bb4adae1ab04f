from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")

    def ready(self):
        from courses.registries import CatalogSection, catalog_sections
        from learning.registries import LearnerSection, StepKind, my_learning_sections, step_kinds
        from reports.registries import (
            AggregateSource,
            DashboardPanel,
            ReportType,
            aggregate_sources,
            dashboard_panels,
            report_kinds,
        )

        from . import attendance_report, selectors
        from .models import AttendanceCount
        from .services.aggregates import expected_cells

        # A course's live-session steps: attending a session linked to the course does them.
        step_kinds.register(
            "live", StepKind(url_name="live:course_step", nav_prefix=_("Live session:"))
        )
        my_learning_sections.register(
            "live", LearnerSection("live/_my_learning.html", selectors.my_sessions_section)
        )
        catalog_sections.register(
            "live", CatalogSection("live/_catalog.html", selectors.catalog_section)
        )
        dashboard_panels.register(
            "live_attendance",
            DashboardPanel("live/panels/attendance.html", selectors.attendance_figures),
        )
        report_kinds.register(
            "attendance",
            ReportType(label=_("Live session attendance"), rows=attendance_report.attendance_rows),
        )
        aggregate_sources.register(
            "live_attendance", AggregateSource(models=(AttendanceCount,), expected=expected_cells)
        )
