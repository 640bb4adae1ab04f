"""Formatting shared by every app's templates: percentages, published lesson HTML, and the
options of a long select.

`{% load academy_format %}`, then `{{ value|percent }}`, `{{ html|lesson_html:2 }}` and
`{% options choices selected %}`.
"""

import html
import re

from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


@register.filter
def percent(value):
    """A percentage as the current language writes it: "100%" in English, "100 %" (with a
    no-break space) in French. None and "" give an empty string."""
    if value is None or value == "":
        return ""
    # The translation carries the spacing rule: French puts U+00A0 before the sign.
    return pgettext("percentage", "%(number)s%%") % {"number": number_format(value)}


@register.simple_tag
def options(choices, selected=None):
    """`<option>` elements for (value, label) or (value, label, prefix) choices, the one equal
    to `selected` marked. Built in one Python loop with the standard library's escaping (what
    Django's escape does, without its per-call wrappers): an agency's unit list runs to
    hundreds of entries on every dashboard."""
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{html.escape(str(value))}"'
            f"{' selected' if value == selected else ''}>"
            f"{html.escape(str(rest[1])) if len(rest) > 1 else ''}{html.escape(str(rest[0]))}"
            "</option>"
            for value, *rest in choices
        )
    )


_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)


@register.filter
def lesson_html(html, top=2):
    """Published lesson HTML (already sanitised by courses.markdown) made to sit under a title.

    Headings are shifted so that the highest one in the text becomes level `top` (2 under a
    page's h1; a lesson written with "##" gets h2 as well as one written with "#"), never past
    h6, keeping their order. Each table is wrapped in a box that scrolls sideways on narrow
    screens instead of widening the page; the box is focusable and named so keyboard users
    can scroll it.
    """
    if not html:
        return ""
    top = int(top)
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if levels:
        shift = top - min(levels)
        html = _HEADING.sub(
            lambda m: f"<{m.group(1)}h{max(1, min(6, int(m.group(2)) + shift))}", html
        )
    label = escape(gettext("Table (scrolls sideways on small screens)"))
    html = _TABLE.sub(
        lambda m: (
            f'<div class="academy-table-wrap" tabindex="0" role="group" aria-label="{label}">'
            f"{m.group(0)}</div>"
        ),
        html,
    )
    return mark_safe(html)  # noqa: S308 - input is sanitised HTML; only tag names change
