from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Verifiable credentials (Open Badges 3.0)")

    def ready(self):
        from learning.registries import (
            CertificateSection,
            certificate_sections,
            verification_sections,
        )

        from . import sections, subscribers

        subscribers.register()
        from agencies.audit import AUDIT_ACTIONS

        AUDIT_ACTIONS.register(
            "credentials.key_rotate", _("Rotated the credential signing key (Open Badges)")
        )
        AUDIT_ACTIONS.register(
            "credentials.policy", _("Changed whether credentials include the result")
        )
        certificate_sections.register(
            "credentials",
            CertificateSection("credentials/_certificate_section.html", sections.for_learner),
        )
        verification_sections.register(
            "credentials",
            CertificateSection("credentials/_verify_section.html", sections.for_verifier),
        )
