"""The catalog's and My learning's repeated markup, from the per-process fragment cache.

The catalog's course cards, its filter form and learning paths, and My learning's course cards
are the same for every learner who sees the same data in the same language. Each is rendered
from its template on the first request that needs it and kept in the process's fragment cache
(academy/fragments.py) under the template's name, the language and *every value the markup
shows* (titles, summaries, minutes, topic names, the learner's tag or progress, dates...): no
invalidation is needed, because any change to what a fragment shows changes its key, so a page
is right the moment something changes. The HTML is byte for byte what rendering the template
gives (tests/courses/test_catalog_fragments.py and tests/learning/test_my_learning_fragments.py).
A search term is user input, so keys can be made up at will: the cache's MAX_ENTRIES bounds it.
"""

from collections.abc import Callable

from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from academy.fragments import fragment

enabled = True  # the tests switch it off to compare with plain rendering


def cached_markup(name: str, key: tuple, render: Callable[[], str]) -> SafeString:
    """The markup of fragment `name` for `key` (plus the active language), rendered by
    `render()` on a miss."""
    if not enabled:
        return mark_safe(render())  # noqa: S308 - rendered by a template, escaped there
    html = fragment(("markup", name, get_language(), key), render)
    return mark_safe(html)  # noqa: S308 - rendered by a template, escaped there


def render_template(template_name: str, key: tuple, context: dict) -> SafeString:
    """`template_name` rendered with `context` (no request), cached under `key`: `key` must
    hold every value of `context` that the template shows."""
    return cached_markup(template_name, key, lambda: get_template(template_name).render(context))


def clear() -> None:
    caches["fragments"].clear()
