from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from . import subscribers

        subscribers.register()
        from .registries import StepKind, step_kinds

        step_kinds.register("lesson", StepKind(url_name="learning:lesson"))
        step_kinds.register("quiz", StepKind(url_name="learning:quiz", nav_prefix=_("Quiz:")))
        from courses.registries import learner_states, learner_tags

        from .selectors import course_learner_states, course_learner_tags

        learner_states.register("learning", course_learner_states)
        learner_tags.register("learning", course_learner_tags)
