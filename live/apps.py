from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS
        from courses.registries import CatalogSection, catalog_sections
        from learning.registries import LearnerSection, StepKind, my_learning_sections, step_kinds
        from reminders.registries import ReminderSource, reminder_sources
        from reports.registries import (
            AggregateSource,
            DashboardPanel,
            ReportType,
            aggregate_sources,
            dashboard_panels,
            report_kinds,
        )

        from . import attendance_report, selectors, selectors_assign, subscribers
        from .models import AttendanceCount
        from .services.aggregates import expected_cells
        from .services.reminders import KINDS, session_reminders_prepare

        for code, label in [
            ("live.sharing_request", _("Asked to open a live session to every agency")),
            ("live.sharing_set", _("Changed who may register for a live session")),
            ("live.sharing_approve", _("Opened a live session to every agency")),
            ("live.sharing_reject", _("Refused to open a live session to every agency")),
        ]:
            AUDIT_ACTIONS.register(code, label)

        # Standing session assignments follow people who join or move into a unit.
        subscribers.register()

        reminder_sources.register(
            "live", ReminderSource(kinds=KINDS, prepare=session_reminders_prepare)
        )

        # A course's live-session steps: attending a session linked to the course does them.
        step_kinds.register(
            "live", StepKind(url_name="live:course_step", nav_prefix=_("Live session:"))
        )
        # Assigned sessions first (due = the start), then the learner's places: one query.
        my_learning_sections.register(
            "live",
            LearnerSection(
                "live/_my_learning.html", selectors_assign.my_learning_section, plain=True
            ),
        )
        catalog_sections.register(
            "live",
            CatalogSection(
                "live/_catalog.html", selectors.catalog_section, key=selectors.catalog_section_key
            ),
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
