from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import fragments, registries, selectors
from .models import Language, Level

LENGTH_CHOICES = [
    ("short", _("Up to 30 minutes")),
    ("medium", _("31 to 90 minutes")),
    ("long", _("Over 90 minutes")),
]


@login_required
def catalog(request):
    """The catalog. What is the same for everyone in the learner's audience (the courses, topics
    and paths their agency may see, for these filters and this page) comes from a skeleton
    rendered once per process and catalog version (courses.fragments.catalog_page); the
    learner's tags and the downstream sections are put in per request. A request with messages
    to show renders the whole page."""
    user = request.user
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("search", "topic", "level", "length", "language")
    }
    page_number = request.GET.get("page")
    sections_html = fragments.sections_markup(registries.catalog_sections.values(), user)

    def context():
        listing = selectors.catalog_listing(user, filters=filters, page_number=page_number)
        return {
            **listing,
            "filters": filters,
            "querystring": "".join(f"{k}={quote(v)}&" for k, v in filters.items() if v),
            "levels": Level.choices,
            "languages": Language.choices,
            "lengths": LENGTH_CHOICES,
        }

    if fragments.enabled and not get_messages(request):
        key = (selectors.catalog_audience(user), tuple(filters.values()), page_number)
        html = fragments.catalog_page(
            request,
            key=key,
            context=context,
            tags=lambda courses: selectors.learner_tags(user, courses),
            sections_html=sections_html,
        )
        if html is not None:
            return HttpResponse(html)
    page_context = context()
    fragments.add_tag_markup(page_context, selectors.learner_tags(user, page_context["courses"]))
    return render(request, "courses/catalog.html", {**page_context, "sections_html": sections_html})


@login_required
def course_detail(request, slug):
    context = selectors.course_detail(request.user, slug)
    states = selectors.learner_states(request.user, [context["course"]])
    context["learner_state"] = states.get(context["course"].pk)
    return render(request, "courses/course_detail.html", context)
