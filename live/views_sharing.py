"""Platform admins' review of requests to open a live session to every agency."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import actor_for
from courses.studio.views_visibility import platform_admin_required

from . import selectors, services


@platform_admin_required
def sharing_requests(request):
    zone = actor_for(request.user).agency_time_zone or "UTC"
    with timezone.override(zone):
        return render(
            request,
            "live/sharing_requests.html",
            {"sessions": list(selectors.sharing_requests_pending()), "time_zone": zone},
        )


@require_POST
@platform_admin_required
def sharing_decide(request, session_id):
    session = get_object_or_404(selectors.sharing_requests_pending(), pk=session_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.session_sharing_decide(actor=request.user, session=session, approve=approve)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("“%(title)s” is now open to every agency.") % {"title": session.title}
            if approve
            else _("Request refused: “%(title)s” keeps its audience.") % {"title": session.title},
        )
    return redirect("live:sharing_requests")
