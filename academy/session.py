"""How long the signed-in session has left, for the expiry warning and its keep-alive."""

import time

from django.conf import settings

from accounts.signals import SESSION_STARTED_KEY

# The warning shows this long before the session ends (WCAG 2.2.1: at least 20 seconds).
WARNING_SECONDS = 120


def absolute_seconds_left(request) -> int:
    """Seconds until the absolute lifetime ends the session, whatever the user does."""
    started = request.session.get(SESSION_STARTED_KEY) or int(time.time())
    return max(0, started + settings.SESSION_ABSOLUTE_SECONDS - int(time.time()))


def session_seconds_left(request) -> int:
    """Seconds until the session ends if the user does nothing more: the inactivity timeout
    or the absolute lifetime, sooner."""
    return min(settings.SESSION_COOKIE_AGE, absolute_seconds_left(request))


def warning_seconds() -> int:
    return getattr(settings, "SESSION_WARNING_SECONDS", WARNING_SECONDS)
