"""The page shell's per-user parts (the header with its menus, the session expiry warning),
rendered once per process for each combination of what they show, then completed per request.

Rendering templates/elements/header.html costs about 0.8 ms of CPU on every page and the session
warning about 0.25 ms (docs/performance.md, "CPU per request"), yet their markup depends on a
handful of values: the language, the acting user's roles and agency, which header link is
current, the unread count. Those values make the cache key; the few values that differ on every
request (the CSRF token, the page's own path, the seconds left) are rendered as placeholders and
put in with `str.replace`. The HTML is the same, byte for byte, as rendering the templates each
time, and it is right the moment something changes: a change of role or agency changes the key
(the actor is forgotten by the services that change it), nothing is cached per user.
"""

from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.conf import settings
from django.template import engines
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from academy.fragments import CSRF_SLOT, csrf_token
from academy.fragments import fragment as _cached
from academy.navigation import current_navigation_link
from academy.session import absolute_seconds_left, session_seconds_left, warning_seconds

register = template.Library()

# Placeholders: letters and digits only, so escaping and URL-encoding leave them as they are.
PATH_SLOT = "AcademyShellPathSlot7f3a"
SECONDS_SLOT = "912345678901"  # numbers: the template renders them as they are
ABSOLUTE_SLOT = "923456789012"


# A page rendered as a skeleton (`SKELETON` true in its context: the same for everyone, cached
# by the page's view, see learning.views.lesson) gets these markers in place of the header and
# the warning; `fill_skeleton` puts this request's in. They hold "<", which autoescaped text
# never does, so no title or name in the skeleton can be mistaken for them.
SKELETON = "page_shell_skeleton"
HEADER_SLOT = mark_safe("<AcademyShellHeaderSlot7f3a>")
WARNING_SLOT = mark_safe("<AcademyShellWarningSlot7f3a>")


def fill_skeleton(skeleton: str, request, *, content: str = "", content_slot: str = "") -> str:
    """A page's skeleton completed for this request: the header and the session warning as
    {% page_header %} and {% session_warning %} render them (from what the template engine's
    context processors give, as for the whole page) and `content` in place of `content_slot`
    (which must come after the header and before the warning)."""
    context = _processed_context(request)
    header = _header_html(
        request, context.get("user"), context.get("actor"), context.get("unread_notifications")
    )
    warning = _warning_html(request, context.get("user"))
    head, rest = skeleton.split(HEADER_SLOT, 1)
    if content_slot:
        middle, rest = rest.split(content_slot, 1)
        head = head + header + middle
        header = content
    middle, tail = rest.split(WARNING_SLOT, 1)
    return "".join((head, header, middle, warning, tail))


def _processed_context(request) -> dict:
    """What the template engine's context processors give for this request (without rendering
    a template: the shell needs only a few of their values)."""
    context = {}
    for processor in _context_processors():
        context.update(processor(request))
    return context


@lru_cache(maxsize=1)
def _context_processors() -> tuple:
    return engines["django"].engine.template_context_processors


@lru_cache(maxsize=64)
def _shell_urls(language: str, prefix: str) -> dict[str, str]:
    """The URLs the shell compares the path with, reversed once per language and script prefix."""
    return {
        name: reverse(name)
        for name in ("reminders:notifications", "account_email", "account_login", "account_signup")
    }


def _stand_in_request(request, path_slot: str):
    """What the shell's templates read from the request, with the full path as a placeholder."""
    return SimpleNamespace(
        path=request.path, path_info=request.path_info, get_full_path=lambda: path_slot
    )


@register.simple_tag(takes_context=True)
def page_header(context):
    """{% page_header %}: templates/elements/header.html for this request."""
    if context.get(SKELETON):
        return HEADER_SLOT
    request, user, actor = context.get("request"), context.get("user"), context.get("actor")
    if request is None or user is None or actor is None:  # no request context: as an include
        return get_template("elements/header.html").render(context.flatten())
    return _header_html(request, user, actor, context.get("unread_notifications"))


def _header_html(request, user, actor, unread) -> str:
    signed_in = user.is_authenticated
    if signed_in:
        unread = unread or 0
        if callable(unread):
            unread = unread()
    else:
        unread = 0
    path = request.path
    language, prefix = get_language(), get_script_prefix()
    urls = _shell_urls(language, prefix)
    if signed_in:
        marks = (
            current_navigation_link(actor, path),
            path == urls["reminders:notifications"],
            path == urls["account_email"],
        )
        who = (
            actor.agency_name or "",
            actor.agency_id is not None,
            bool(actor.is_trainer),
            bool(actor.is_platform_admin),
            bool(actor.manages_people),
            bool(actor.is_agency_admin),
        )
    else:
        marks = (path == urls["account_login"], path == urls["account_signup"])
        who = ()
    html = _cached(
        ("header", language, prefix, signed_in, who, marks, unread),
        lambda: get_template("elements/header.html").render(
            {
                "request": _stand_in_request(request, PATH_SLOT),
                "user": user,
                "actor": actor,
                "unread_notifications": unread,
                "csrf_token": CSRF_SLOT,
            }
        ),
    )
    if CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, csrf_token(request))
    return mark_safe(  # noqa: S308 - rendered by the template with autoescape; slots escaped
        html.replace(PATH_SLOT, escape(request.get_full_path()))
    )


@register.simple_tag(takes_context=True)
def session_warning(context):
    """{% session_warning %}: templates/elements/session_timeout.html for this request."""
    if context.get(SKELETON):
        return WARNING_SLOT
    request, user = context.get("request"), context.get("user")
    if request is None or user is None:  # no request context: as an include
        return get_template("elements/session_timeout.html").render(context.flatten())
    return _warning_html(request, user)


def _warning_html(request, user) -> str:
    html = _cached(
        ("session-warning", get_language(), get_script_prefix(), user.is_authenticated),
        lambda: get_template("elements/session_timeout.html").render(
            {
                "request": _stand_in_request(request, PATH_SLOT),
                "user": user,
                "session_timing_override": {
                    "seconds_left": SECONDS_SLOT,
                    "absolute_left": ABSOLUTE_SLOT,
                    "idle_seconds": settings.SESSION_COOKIE_AGE,
                    "warn_seconds": warning_seconds(),
                },
            }
        ),
    )
    if not user.is_authenticated:
        return mark_safe(html)  # noqa: S308 - the template's own output
    # The template URL-encodes the path (`urlencode` filter, then autoescape) for the sign-in link.
    next_path = escape(urlencode(request.get_full_path()))
    return mark_safe(  # noqa: S308 - as above
        html.replace(SECONDS_SLOT, str(session_seconds_left(request)))
        .replace(ABSOLUTE_SLOT, str(absolute_seconds_left(request)))
        .replace(PATH_SLOT, next_path)
    )
