from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from .registries import publish_checks
        from .services.publishing import content_publish_check

        publish_checks.register("content", content_publish_check)
