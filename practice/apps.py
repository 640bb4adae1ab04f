from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice tasks")

    def ready(self):
        from learning.registries import StepKind, step_kinds
        from reports.registries import DashboardPanel, dashboard_panels

        from . import selectors

        # A course's practice tasks: a reviewer passing the learner's submission does them.
        step_kinds.register(
            "practice", StepKind(url_name="practice:step", nav_prefix=_("Practice task:"))
        )
        # Reviews waiting longer than the target, flagged on the manager dashboard.
        dashboard_panels.register(
            "practice_reviews",
            DashboardPanel("practice/panels/reviews.html", selectors.review_figures),
        )
