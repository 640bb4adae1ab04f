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

The catalog's whole page is cached too (`catalog_page`), as a skeleton: what is the same for
everyone in one audience (courses.selectors.catalog_audience) for the same filters, page and
language, under the catalog's version (courses.catalog_version: replaced by the services that
change what the catalog lists). The learner's own parts are put in per request: the tag of each
card and path step (`tag_markup`, where the skeleton holds a slot), the downstream sections
(live sessions), the page shell's header and session warning
(academy.templatetags.page_shell.fill_skeleton). The page is the same, byte for byte, as
rendering the whole template (tests/courses/test_catalog_fragments.py).
"""

import hashlib
import re
from collections.abc import Callable

from django.core.cache import caches
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from academy.fragments import TIMEOUT, fragment
from academy.templatetags.page_shell import SKELETON, fill_skeleton

from .catalog_version import catalog_version

enabled = True  # the tests switch it off to compare with plain rendering


def cached_markup(name: str, key: tuple, render: Callable[[], str]) -> SafeString:
    """The markup of fragment `name` for `key` (plus the active language), rendered by
    `render()` on a miss."""
    if not enabled:
        return mark_safe(render())  # noqa: S308 - rendered by a template, escaped there
    html = fragment(("markup", name, get_language(), get_script_prefix(), key), render)
    return mark_safe(html)  # noqa: S308 - rendered by a template, escaped there


def render_template(template_name: str, key: tuple, context: dict) -> SafeString:
    """`template_name` rendered with `context` (no request), cached under `key`: `key` must
    hold every value of `context` that the template shows."""
    return cached_markup(template_name, key, lambda: get_template(template_name).render(context))


def sections_markup(sections, user) -> SafeString:
    """The markup of the catalog's downstream sections (courses.registries.CatalogSection) for
    the user, each from the fragment cache when it gives its `key`."""
    html = []
    for section in sections:
        data = section.data(user)
        context = {"section_data": data}
        if section.key is None:
            html.append(get_template(section.template).render(context))
        else:
            html.append(render_template(section.template, section.key(data), context))
    return mark_safe("".join(html))  # noqa: S308 - each rendered by its template, escaped there


TAG_TEMPLATES = {
    "card": "courses/_catalog_card_tag.html",
    "step": "courses/_catalog_step_tag.html",
}


# The tags' markup, by (kind, tag): it shows nothing but the tag's words (already in the
# learner's language), so it is rendered once per process for each; the words are few (the
# providers' statuses), the bound only guards against a provider that makes them up.
_TAG_HTML: dict[tuple[str, str], SafeString] = {}
_TAG_HTML_MAX = 256


def tag_markup(kind: str, tag: str) -> SafeString:
    """A card's ("card") or a path step's ("step") tag as its template renders it."""
    if not enabled:
        return mark_safe(get_template(TAG_TEMPLATES[kind]).render({"tag": tag}))  # noqa: S308
    html = _TAG_HTML.get((kind, tag))
    if html is None:
        if len(_TAG_HTML) >= _TAG_HTML_MAX:
            _TAG_HTML.clear()
        rendered = get_template(TAG_TEMPLATES[kind]).render({"tag": tag})
        html = _TAG_HTML[kind, tag] = mark_safe(rendered)  # noqa: S308 - escaped by the template
    return html


def add_tag_markup(listing: dict, tags: dict[int, str]) -> None:
    """Give each card and path step of `listing` (courses.selectors.catalog_listing) its
    `tag_html` for these tags ({course_id: tag}), as the page renders it for its learner."""
    for card in listing["page"].object_list:
        card["tag_html"] = tag_markup("card", tags.get(card["pk"], ""))
    for path in listing["paths"]:
        for step in path["steps"]:
            step["tag_html"] = tag_markup("step", tags.get(step["course_id"], ""))


# Slots of the skeleton. They hold "<", which autoescaped text never does, so no title,
# summary or topic name can be taken for one.
_TAG_SLOT = "<AcademyCatalogTag7f3a {kind} {pk}>"
_TAG_SLOTS = re.compile(r"<AcademyCatalogTag7f3a (card|step) (\d+)>")
SECTIONS_SLOT = mark_safe("<AcademyCatalogSections7f3a>")


def catalog_page(
    request,
    *,
    key: tuple,
    context: Callable[[], dict],
    tags: Callable[[list], dict[int, str]],
    sections_html: str,
) -> str | None:
    """The catalog page for this request, from the skeleton cached for `key` (the audience, the
    filters and the page asked for: everything the listing depends on) and the catalog's
    version; None when the version cannot be read (the caller renders the page in full).

    On a miss, `context()` gives the template's context (its `listing`'s `courses` included);
    then, on every request, `tags(courses)` gives this learner's tag of each course shown
    ({course_id: tag}) and `sections_html` is put in its place."""
    version = catalog_version()
    if version is None:
        return None
    parts = (
        "catalog-page",
        get_language(),
        get_script_prefix(),
        version,
        key,
    )
    cache_key = "catalog:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    cache = caches["fragments"]
    entry = cache.get(cache_key)
    if entry is None:
        entry = _skeleton(context())
        cache.set(cache_key, entry, TIMEOUT)
    pieces, slots, courses = entry
    # Most courses have no tag for this learner: start from the page with every slot holding
    # the empty tag's markup and put in only the tags there are.
    out = list(pieces)
    for pk, tag in tags(courses).items():
        for index, kind in slots.get(pk, ()):
            out[index] = tag_markup(kind, tag)
    return fill_skeleton("".join(out), request, content=sections_html, content_slot=SECTIONS_SLOT)


def _skeleton(context: dict) -> tuple[list[str], dict[int, list[tuple[int, str]]], list]:
    """The page rendered with slots (tags, sections, header, warning), as its pieces with the
    empty tag's markup in each tag slot; where each course's tag slots are ({course id:
    [(index in the pieces, kind)]}); and the (id, slug) of the courses shown."""
    for card in context["page"].object_list:
        card["tag_html"] = mark_safe(_TAG_SLOT.format(kind="card", pk=card["pk"]))
    for path in context["paths"]:
        for step in path["steps"]:
            step["tag_html"] = mark_safe(_TAG_SLOT.format(kind="step", pk=step["course_id"]))
    html = render_to_string(
        "courses/catalog.html",
        {**context, "sections_html": SECTIONS_SLOT, SKELETON: True, "messages": ()},
    )
    split = _TAG_SLOTS.split(html)  # [text, kind, course id, text, kind, course id, ..., text]
    pieces: list[str] = [split[0]]
    slots: dict[int, list[tuple[int, str]]] = {}
    for i in range(1, len(split), 3):
        kind, pk = split[i], int(split[i + 1])
        slots.setdefault(pk, []).append((len(pieces), kind))
        pieces.append(tag_markup(kind, ""))
        pieces.append(split[i + 2])
    return pieces, slots, context["courses"]


def clear() -> None:
    caches["fragments"].clear()
    _TAG_HTML.clear()
