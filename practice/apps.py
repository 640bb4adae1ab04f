from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice tasks")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS
        from agencies.registries import SettingsSection, settings_sections
        from learning.registries import StepKind, step_kinds
        from reminders.registries import ReminderSource, reminder_sources
        from reports.registries import DashboardPanel, dashboard_panels

        from . import forms, selectors, services
        from .services.late_reviews import KINDS, late_reviews_prepare, late_reviews_record

        # A course's practice tasks: a reviewer passing the learner's submission does them.
        step_kinds.register(
            "practice", StepKind(url_name="practice:step", nav_prefix=_("Practice task:"))
        )
        # Reviews waiting longer than the target, flagged on the manager dashboard.
        dashboard_panels.register(
            "practice_reviews",
            DashboardPanel("practice/panels/reviews.html", selectors.review_figures),
        )
        # The agency's review target, on the Agency settings page.
        settings_sections.register(
            "practice",
            SettingsSection(
                title=_("Practice task reviews"),
                form=forms.review_target_form,
                save=lambda *, actor, agency, data, ip: services.review_target_set(
                    actor=actor, agency=agency, hours=data["review_target_hours"], ip=ip
                ),
                saved_message=_("Review target saved."),
            ),
        )
        AUDIT_ACTIONS.register("practice.review_target", _("Changed the practice review target"))
        AUDIT_ACTIONS.register("practice.reviewers", _("Named the reviewers of a course"))
        # Reviews waiting longer than the target, reminded to the reviewers by reminders' scan.
        reminder_sources.register(
            "practice",
            ReminderSource(kinds=KINDS, prepare=late_reviews_prepare, record=late_reviews_record),
        )
