"""The course player's page for a live-session step (the "live" kind of
learning.registries.step_kinds): which sessions of the course the learner can attend, and
whether attending has already done the step."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from learning import selectors as learning_selectors
from learning import services as learning_services
from learning.access import access_enrollment

from . import selectors
from .views import in_agency_time


@require_GET
@in_agency_time
def course_step(request, slug, key):
    enrollment = learning_services.enrollment_sync_version(
        enrollment=access_enrollment(request.user, slug), course_fresh=True
    )
    context = learning_selectors.course_player(enrollment, kind="live", key=key)
    if context is None:
        raise Http404
    context["sessions"] = list(selectors.course_sessions(request.user, enrollment.course_id))
    context["time_zone"] = request.time_zone_name
    return render(request, "live/course_step.html", context)
