"""Platform admins' review of requests to show an agency's course to every agency."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import actor_for
from agencies.permissions import client_ip

from .. import selectors, services


def platform_admin_required(view):
    """Signed-in platform admins; everyone else gets 404 (signed out: the sign-in page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not actor_for(request.user).is_platform_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@platform_admin_required
def visibility_requests(request):
    return render(
        request,
        "courses/studio/visibility_requests.html",
        {"requests": list(selectors.visibility_requests_pending())},
    )


@require_POST
@platform_admin_required
def visibility_request_decide(request, request_id):
    pending = get_object_or_404(selectors.visibility_requests_pending(), pk=request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.visibility_request_decide(
            actor=request.user, request=pending, approve=approve, ip=client_ip(request)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        title = pending.course.title
        messages.success(
            request,
            _("“%(title)s” is now shown to every agency.") % {"title": title}
            if approve
            else _("Request refused: “%(title)s” keeps its visibility.") % {"title": title},
        )
    return redirect("studio:visibility_requests")
