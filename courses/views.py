from types import SimpleNamespace
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import registries, selectors
from .models import Language, Level

PAGE_SIZE = 24
LENGTH_CHOICES = [
    ("short", _("Up to 30 minutes")),
    ("medium", _("31 to 90 minutes")),
    ("long", _("Over 90 minutes")),
]


@login_required
def catalog(request):
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("search", "topic", "level", "length", "language")
    }
    rows = selectors.catalog_rows(request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.catalog_cards(page.object_list)
    paths = selectors.path_catalog_rows(request.user) if not any(filters.values()) else []
    shown = [
        *((card["pk"], card["slug"]) for card in page.object_list),
        *((step["course_id"], step["slug"]) for path in paths for step in path["steps"]),
    ]
    states = selectors.learner_states(
        request.user, [SimpleNamespace(pk=pk, slug=slug) for pk, slug in dict(shown).items()]
    )
    for item in [*page.object_list, *(step for path in paths for step in path["steps"])]:
        state = states.get(item.get("pk", item.get("course_id")))
        item["tag"] = state.tag if state else ""
    return render(
        request,
        "courses/catalog.html",
        {
            "page": page,
            "filters": filters,
            "querystring": "".join(f"{k}={quote(v)}&" for k, v in filters.items() if v),
            "topics": selectors.catalog_topic_rows(request.user),
            "levels": Level.choices,
            "languages": Language.choices,
            "lengths": LENGTH_CHOICES,
            "paths": paths,
            "extra_sections": [
                (section.template, section.data(request.user))
                for section in registries.catalog_sections.values()
            ],
        },
    )


@login_required
def course_detail(request, slug):
    context = selectors.course_detail(request.user, slug)
    states = selectors.learner_states(request.user, [context["course"]])
    context["learner_state"] = states.get(context["course"].pk)
    return render(request, "courses/course_detail.html", context)
