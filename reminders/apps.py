from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def warm_unread_count(sender, request, user, **kwargs):
    """At sign-in, cache the bell's unread count, so pages do not pay a query for it."""
    from .services import unread_count  # apps.py loads before models, which services import

    unread_count(user)


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from . import subscribers

        subscribers.register()
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(warm_unread_count, dispatch_uid="reminders-warm-unread-count")

        # The header shows the bell on every signed-in page: read its count in the round trip
        # that reads the user (academy.cache, accounts/session_user.py).
        from academy.cache import prefetch_per_user

        from .services.sending import unread_cache_key

        prefetch_per_user(unread_cache_key)

        from .assignables import COURSE, PATH
        from .registries import assignable_kinds

        assignable_kinds.register("course", COURSE)
        assignable_kinds.register("path", PATH)

        from .registries import ReminderSource, reminder_sources
        from .services.expiry import KINDS, expiry_reminders_prepare

        reminder_sources.register(
            "certificate_expiry", ReminderSource(kinds=KINDS, prepare=expiry_reminders_prepare)
        )

        from agencies.audit import AUDIT_ACTIONS

        AUDIT_ACTIONS.register("assignment.update", _("Changed an assignment's due date"))
        AUDIT_ACTIONS.register("assignment.extend", _("Gave someone an extension"))
        AUDIT_ACTIONS.register("assignment.exempt", _("Exempted someone from an assignment"))
