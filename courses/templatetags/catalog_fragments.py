"""The catalog's repeated markup from the per-process fragment cache (courses.fragments)."""

from django import template

from courses.fragments import render_template

register = template.Library()


@register.simple_tag(takes_context=True)
def catalog_form(context):
    """{% catalog_form %}: the search and filter form for `topics` and the `filters` chosen."""
    topics, filters = context["topics"], context["filters"]
    key = (
        tuple((topic["slug"], topic["name"]) for topic in topics),
        tuple(filters.items()),
    )
    return render_template(
        "courses/_catalog_form.html",
        key,
        {
            "topics": topics,
            "filters": filters,
            "levels": context["levels"],
            "languages": context["languages"],
            "lengths": context["lengths"],
        },
    )


@register.simple_tag
def catalog_card(course: dict):
    """{% catalog_card course %}: one course card (a row of courses.selectors.catalog_cards
    with its learner's `tag_html`, courses.fragments.add_tag_markup, or a slot for it)."""
    key = tuple(course[name] for name in CARD_KEY)
    return render_template("courses/_catalog_card.html", key, {"course": course})


CARD_KEY = ("pk", "slug", "title", "summary", "level", "minutes", "language", "topics", "tag_html")


@register.simple_tag
def catalog_paths(paths: list[dict]):
    """{% catalog_paths paths %}: the learning paths (rows of path_catalog_rows with each
    step's `tag_html`)."""
    key = tuple(
        (
            path["slug"],
            path["title"],
            path["summary"],
            tuple((step["slug"], step["title"], step["tag_html"]) for step in path["steps"]),
        )
        for path in paths
    )
    return render_template("courses/_catalog_paths.html", key, {"paths": paths})
