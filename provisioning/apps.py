from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = _("Provisioning (SCIM)")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS

        for code, label in [
            ("scim.token_create", _("Created a provisioning (SCIM) token")),
            ("scim.token_revoke", _("Revoked a provisioning (SCIM) token")),
            ("scim.user_create", _("Provisioned someone (SCIM)")),
            ("scim.user_delete", _("Removed someone from provisioning (SCIM)")),
        ]:
            AUDIT_ACTIONS.register(code, label)
