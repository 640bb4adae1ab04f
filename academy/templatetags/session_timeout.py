from django import template
from django.conf import settings

from academy.session import absolute_seconds_left, session_seconds_left, warning_seconds

register = template.Library()


@register.simple_tag(takes_context=True)
def session_timing(context) -> dict:
    """What the session expiry warning needs: seconds left, when to warn, the idle timeout."""
    override = context.get("session_timing_override")
    if override is not None:  # academy/templatetags/page_shell.py renders placeholders
        return override
    request = context["request"]
    return {
        "seconds_left": session_seconds_left(request),
        "absolute_left": absolute_seconds_left(request),
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "warn_seconds": warning_seconds(),
    }
