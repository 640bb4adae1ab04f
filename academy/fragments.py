"""Template fragments rendered once per process for each combination of what they show.

A fragment is cached under a key built from every value that determines its markup (the
language, a version, a set of keys done...), never per user and never with a time-to-live
standing in for invalidation: when something changes, the key changes. The values that differ
on every request (the CSRF token) are rendered as placeholders and put in per request with
`str.replace`, so the HTML is the same, byte for byte, as rendering the template each time.

Used by the page shell (academy/templatetags/page_shell.py: the header, the session warning)
and by the lesson player (learning.views). The cache is the per-process `fragments` cache
(settings.CACHES): no round trip, bounded by its MAX_ENTRIES.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.middleware.csrf import get_token

# Placeholders: letters and digits only, so escaping and URL-encoding leave them as they are.
CSRF_SLOT = "AcademyShellCsrfSlot7f3a"

TIMEOUT = 24 * 3600  # an entry's key changes with its content: this only frees memory


def fragment(parts: tuple, render: Callable[[], str]) -> str:
    """The fragment for these parts (a tuple of plain values whose `repr` is stable) from the
    process's fragment cache, rendered with `render()` on a miss."""
    key = "shell:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    cache = caches["fragments"]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return html


def with_csrf_token(html: str, request) -> str:
    """The fragment with this request's CSRF token in place of CSRF_SLOT (`get_token`, so the
    cookie is set as `{% csrf_token %}` would)."""
    if CSRF_SLOT not in html:
        return html
    return html.replace(CSRF_SLOT, get_token(request))
