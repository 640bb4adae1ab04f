from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("AI policy")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS
        from learning.registries import LearnerSection, my_learning_sections
        from reports.registries import (
            AggregateSource,
            DashboardPanel,
            ReportType,
            aggregate_sources,
            dashboard_panels,
            report_kinds,
        )

        from . import figures, selectors, subscribers
        from .cells import expected_cells
        from .models import AcknowledgementCell

        my_learning_sections.register(
            "ai_policy",
            LearnerSection("policies/_my_learning.html", selectors.my_learning_section, plain=True),
        )
        dashboard_panels.register(
            "ai_policy", DashboardPanel("policies/_dashboard_panel.html", figures.dashboard_panel)
        )
        report_kinds.register(
            "ai_policy", ReportType(label=_("AI policy acknowledgements"), rows=figures.report_rows)
        )
        aggregate_sources.register(
            "policy_acknowledgements",
            AggregateSource(models=(AcknowledgementCell,), expected=expected_cells),
        )
        subscribers.register()
        for code, label in [
            ("policy.draft_save", _("Saved the AI policy draft")),
            ("policy.publish", _("Published a version of the AI policy")),
            ("policy.acknowledge", _("Acknowledged the AI policy")),
        ]:
            AUDIT_ACTIONS.register(code, label)
