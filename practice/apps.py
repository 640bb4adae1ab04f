from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = _("Practice tasks")

    def ready(self):
        from learning.registries import StepKind, step_kinds

        # A course's practice tasks: a reviewer passing the learner's submission does them.
        step_kinds.register(
            "practice", StepKind(url_name="practice:step", nav_prefix=_("Practice task:"))
        )
