"""Server-side SVG charts: no script, no network, nothing conveyed by colour alone.

Bars carry a hatch pattern and their value as text; lines use a dashed stroke with square
markers and a direct label. Each chart has a title and description for assistive technology,
and the page always follows it with a table of the same data.
"""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from academy.templatetags.academy_format import percent


def week_label(day) -> str:
    """A week's short label ("March 3", "3 mars") in the active language: the date format is
    itself translated, so each language orders and abbreviates it its own way."""
    return date_format(day, pgettext("short day and month, a Django date format", "N j"))


INK = "#1b1b1b"
BAR = "#005ea2"
LINE = "#8b0a03"


def _defs(uid):
    return (
        f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{BAR}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
        f"</defs>"
    )


def _svg(uid, width, height, title, desc, body):
    return mark_safe(
        f'<svg class="academy-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="12">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}'
        f"</desc>{_defs(uid)}{body}</svg>"
    )


def trend_chart(weeks: list[dict], *, uid="trend") -> str:
    """Weekly completions (hatched bars, labelled) and active learners (dashed line, squares)."""
    width, height, left, right, top, bottom = 760, 300, 48, 20, 36, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([w["completions"] for w in weeks] + [w["active_learners"] or 0 for w in weeks] + [1])
    step = plot_w / max(len(weeks), 1)

    def y(value):
        return top + plot_h - plot_h * value / peak

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{INK}"/>',
        f'<text x="{left}" y="{top - 20}" fill="{INK}">'
        f'<tspan font-weight="bold">▨</tspan> {escape(_("Completions per week"))}   '
        f'<tspan font-weight="bold">- ■ -</tspan> {escape(_("Active learners"))}</text>',
    ]
    points = []
    for i, week in enumerate(weeks):
        x = left + i * step
        bar_w = step * 0.6
        value = week["completions"]
        parts.append(
            f'<rect x="{x + step * 0.2:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
            f'height="{top + plot_h - y(value):.1f}" fill="url(#{uid}-hatch)" '
            f'stroke="{BAR}"/>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{y(value) - 4:.1f}" text-anchor="middle" '
            f'fill="{INK}">{value}</text>'
        )
        label = week_label(week["start"])
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        if week["active_learners"] is not None:
            points.append((x + step / 2, y(week["active_learners"]), week["active_learners"]))
    if points:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _v in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        for px, py, _value in points:
            parts.append(
                f'<rect x="{px - 4:.1f}" y="{py - 4:.1f}" width="8" height="8" fill="{LINE}"/>'
            )
        px, py, value = points[-1]
        parts.append(f'<text x="{px + 8:.1f}" y="{py - 8:.1f}" fill="{INK}">{value}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" '
        f'fill="{INK}">{escape(_("Week starting"))}</text>'
    )
    desc = _(
        "Bars: completions in each week. Line: people active in the 7 days to the week's "
        "end. The table below gives the same figures."
    )
    return _svg(
        uid, width, height, _("Weekly completions and active learners"), desc, "".join(parts)
    )


def funnel_chart(stages: list[tuple[str, int | None]], *, uid="funnel") -> str:
    """Horizontal hatched bars, each labelled with its stage, count and share of the first."""
    width, row_h, label_w = 760, 34, 150
    height = row_h * len(stages) + 10
    first = stages[0][1] or 0
    parts = []
    for i, (label, value) in enumerate(stages):
        y = 5 + i * row_h
        value = value or 0
        bar = (width - label_w - 140) * (value / first if first else 0)
        share = f" ({percent(round(100 * value / first))})" if first else ""
        parts.append(f'<text x="0" y="{y + 20}" fill="{INK}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 10}" '
            f'fill="url(#{uid}-hatch)" stroke="{BAR}"/>'
        )
        parts.append(
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 20}" fill="{INK}">{value}{share}</text>'
        )
    return _svg(
        uid,
        width,
        height,
        _("Adoption funnel"),
        _(
            "People at each stage, with the share of members. The table below gives "
            "the same figures."
        ),
        "".join(parts),
    )


def sparkline(values: list[int], *, uid: str, title: str) -> str:
    """A small bar chart (hatched, the last value written out) for side-by-side comparisons."""
    width, height = 160, 40
    peak = max(values + [1])
    step = width / max(len(values), 1)
    parts = [
        f'<rect x="{i * step + 1:.1f}" y="{height - 12 - 26 * v / peak:.1f}" '
        f'width="{step - 2:.1f}" height="{26 * v / peak:.1f}" fill="url(#{uid}-hatch)" '
        f'stroke="{BAR}"/>'
        for i, v in enumerate(values)
    ]
    parts.append(
        f'<text x="{width}" y="{height - 1}" text-anchor="end" fill="{INK}" '
        f'font-size="10">{escape(_("last week: %(n)s") % {"n": values[-1] if values else 0})}'
        f"</text>"
    )
    return _svg(uid, width, height, title, _("Weekly completions, oldest first."), "".join(parts))
