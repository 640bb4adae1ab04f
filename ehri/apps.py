from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EhriConfig(AppConfig):
    name = "ehri"
    verbose_name = _("EHRI training feed")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS
        from courses.registries import (
            BundleSection,
            bundle_sections,
            publish_checks,
            version_published,
        )
        from reports.registries import ReportType, report_kinds

        from .feed import last_month_rows
        from .services import course_publish_check
        from .versions import (
            bundle_section_apply,
            bundle_section_export,
            bundle_section_problems,
            version_coding_freeze,
        )

        for code, label in [
            ("ehri.settings", _("Changed the OPM training feed (EHRI) settings")),
            ("ehri.coding", _("Coded a course for the OPM training feed (EHRI)")),
            ("ehri.employee_ids", _("Set employee ids for the OPM training feed (EHRI)")),
        ]:
            AUDIT_ACTIONS.register(code, label)
        publish_checks.register("ehri", course_publish_check)
        version_published.register("ehri", version_coding_freeze)
        bundle_sections.register(
            "ehri",
            BundleSection(
                export=bundle_section_export,
                problems=bundle_section_problems,
                apply=bundle_section_apply,
            ),
        )
        report_kinds.register(
            "ehri",
            ReportType(label=_("OPM training feed (EHRI), last month"), rows=last_month_rows),
        )
