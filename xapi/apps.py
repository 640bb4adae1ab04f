from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = _("xAPI statements (learning record store)")

    def ready(self):
        from agencies.audit import AUDIT_ACTIONS

        from . import subscribers

        subscribers.register()
        for code, label in [
            ("xapi.config_update", _("Changed the learning record store (xAPI) settings")),
            ("xapi.resend", _("Resent failed xAPI statements")),
        ]:
            AUDIT_ACTIONS.register(code, label)
