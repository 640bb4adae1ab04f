"""My learning's repeated markup from the per-process fragment cache (courses.fragments): each
fragment is keyed on every value it shows, so it is right the moment one of them changes."""

from django import template
from django.utils import timezone

from courses.fragments import render_template

register = template.Library()


def _local_day(moment):
    return timezone.localtime(moment).date() if moment else moment


# kind: (template, the key: what the markup shows of an enrollment row). Only what is shown:
# whether a course was started, not when; the day of a completion in the current time zone.
CARDS = {
    "assigned": (
        "learning/_my_assigned_card.html",
        lambda e: (e.title, e.slug, e.due_on, e.is_overdue, e.progress_percent, bool(e.started_at)),
    ),
    "in_progress": (
        "learning/_my_progress_card.html",
        lambda e: (e.title, e.slug, e.progress_percent, bool(e.started_at)),
    ),
    "completed": (
        "learning/_my_completed_row.html",
        lambda e: (
            e.title,
            e.slug,
            _local_day(e.completed_at),
            e.final_score,
            e.certificate_code,
            bool(e.certificate_revoked_at),
        ),
    ),
}


@register.simple_tag
def my_learning_card(kind: str, e):
    """{% my_learning_card kind e %}: the card (or table row) of one enrollment row of
    learning.selectors.my_learning."""
    template_name, key = CARDS[kind]
    return render_template(template_name, key(e), {"e": e})


@register.simple_tag
def my_learning_paths(paths: list[dict]):
    """{% my_learning_paths paths %}: the learning paths section (nothing without paths)."""
    key = tuple((p["title"], p["complete"], p["done"], p["total"]) for p in paths)
    return render_template("learning/_my_paths.html", key, {"paths": paths})


@register.simple_tag
def my_learning_suggestions(suggestions: list[dict]):
    """{% my_learning_suggestions suggestions %}: the suggested courses (dicts of slug, title
    and minutes: learning.selectors.my_learning)."""
    key = tuple((c["slug"], c["title"], c["minutes"]) for c in suggestions)
    return render_template("learning/_my_suggestions.html", key, {"suggestions": suggestions})
