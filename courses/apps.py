from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from .registries import publish_checks
        from .services.publishing import content_publish_check

        publish_checks.register("content", content_publish_check)

        # The catalog's version comes in the round trip that reads the user (academy.cache).
        from academy.cache import prefetch_per_user

        from .catalog_version import catalog_version_key

        prefetch_per_user(catalog_version_key)

        from agencies.audit import AUDIT_ACTIONS

        for code, label in [
            ("course.visibility_request", _("Asked to show a course to every agency")),
            ("course.visibility_approve", _("Approved showing a course to every agency")),
            ("course.visibility_reject", _("Refused showing a course to every agency")),
        ]:
            AUDIT_ACTIONS.register(code, label)
