from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")

    def ready(self):
        from courses.registries import CatalogSection, catalog_sections
        from learning.registries import LearnerSection, my_learning_sections

        from . import selectors

        my_learning_sections.register(
            "live", LearnerSection("live/_my_learning.html", selectors.my_sessions_section)
        )
        catalog_sections.register(
            "live", CatalogSection("live/_catalog.html", selectors.catalog_section)
        )
