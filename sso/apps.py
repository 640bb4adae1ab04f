from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Agency sign-in (SSO)")

    def ready(self):
        from accounts.registries import password_sign_in_refusals
        from agencies.audit import AUDIT_ACTIONS

        from .selectors import password_refusal

        for code, label in [
            ("sso.provider_create", _("Added an identity provider")),
            ("sso.provider_update", _("Changed an identity provider")),
            ("sso.provider_delete", _("Removed an identity provider")),
            ("sso.sign_in", _("Signed in through the agency's identity provider")),
            ("sso.refused", _("Refused a sign-in through an identity provider")),
            ("sso.user_create", _("Created an account at first SSO sign-in")),
            ("sso.link", _("Linked an account to the agency's identity provider")),
        ]:
            AUDIT_ACTIONS.register(code, label)
        password_sign_in_refusals.register("sso_only", password_refusal)
