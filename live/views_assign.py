"""Assigning a session like a course, from the session page: managers and agency admins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for, units_visible_to

from . import services
from .access import access_session
from .forms import SessionAssignForm
from .selectors_assign import session_assignments
from .services.assignments import can_assign
from .views import in_agency_time


def _assign_form(request, data=None):
    actor = actor_for(request.user)
    return SessionAssignForm(
        data, units=units_visible_to(request.user), admin=actor.is_agency_admin
    )


def _assigner_session(request, session_id):
    """A session the user sees, if they may assign sessions at all; else 404."""
    if not can_assign(actor_for(request.user)):
        raise Http404
    return access_session(request.user, session_id)


@in_agency_time
def assign(request, session_id):
    session = _assigner_session(request, session_id)
    form = _assign_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.session_assign(
                actor=request.user,
                session=session,
                target=form.cleaned_data["target"],
                unit=form.cleaned_data.get("unit"),
                people=form.cleaned_data.get("people") or [],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _(
                    "Session assigned: %(registered)d registered, %(waitlisted)d on the waiting "
                    "list, %(outside)d outside the session's audience."
                )
                % {
                    "registered": result["registered"],
                    "waitlisted": result["waitlisted"],
                    "outside": result["outside_audience"],
                },
            )
            return redirect("live:assign", session_id=session.pk)
    context = {
        "session": session,
        "form": form,
        "assignments": list(session_assignments(request.user, session)),
        "time_zone": request.time_zone_name,
    }
    return render(request, "live/assign.html", context, status=400 if form.errors else 200)


@require_POST
@in_agency_time
def assignment_delete(request, session_id, assignment_id):
    session = _assigner_session(request, session_id)
    assignment = get_object_or_404(session_assignments(request.user, session), pk=assignment_id)
    try:
        services.session_assignment_delete(actor=request.user, assignment=assignment)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Assignment withdrawn. The places it gave are kept."))
    return redirect("live:assign", session_id=session.pk)
