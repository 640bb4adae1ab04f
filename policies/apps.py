from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("AI policy")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS
        from learning.registries import LearnerSection, my_learning_sections

        from . import selectors

        my_learning_sections.register(
            "ai_policy", LearnerSection("policies/_my_learning.html", selectors.my_learning_section)
        )
        for code, label in [
            ("policy.draft_save", _("Saved the AI policy draft")),
            ("policy.publish", _("Published a version of the AI policy")),
            ("policy.acknowledge", _("Acknowledged the AI policy")),
        ]:
            AUDIT_ACTIONS.register(code, label)
