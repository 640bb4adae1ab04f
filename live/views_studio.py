"""The trainer's side, under the Studio: sessions they host, scheduling and editing a
session (or a series), and the attendance roster."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for

from . import selectors, services
from .access import access_session_for_edit, can_schedule
from .forms import AttendanceCsvForm, FollowupForm, SeriesDatesForm, SessionForm
from .models import Sharing


def trainer_required(view):
    """Trainers and agency admins of an agency (404 for anyone else); times in its zone."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = actor_for(request.user)
        if not can_schedule(actor):
            raise Http404
        with timezone.override(actor.agency_time_zone or "UTC"):
            request.time_zone_name = actor.agency_time_zone or "UTC"
            return view(request, *args, **kwargs)

    return wrapped


@trainer_required
def session_list(request):
    context = {
        "upcoming": list(selectors.hosted_sessions(request.user)),
        "past": list(selectors.hosted_sessions(request.user, past=True)[:50]),
        "agency": [
            s for s in selectors.agency_sessions(request.user) if s.host_id != request.user.pk
        ],
        "time_zone": request.time_zone_name,
    }
    return render(request, "live/studio/list.html", context)


def _session_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("units")
    data.pop("every_agency")
    data["topics"] = list(data["topics"])
    return data


@trainer_required
def session_create(request):
    agency_id = actor_for(request.user).agency_id
    form = SessionForm(
        request.POST or None,
        agency_id=agency_id,
        initial={"host": request.user.pk, "capacity": 20, "language": "en"},
    )
    dates_form = SeriesDatesForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and dates_form.is_valid():
        data = _session_data(form)
        dates = dates_form.cleaned_data["repeat_dates"]
        try:
            if dates:
                sessions = services.series_create(
                    actor=request.user, dates=dates, units=form.cleaned_data["units"], **data
                )
            else:
                sessions = [
                    services.session_create(
                        actor=request.user, units=form.cleaned_data["units"], **data
                    )
                ]
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if form.cleaned_data["every_agency"]:
                for created in sessions:
                    services.session_sharing_set(
                        actor=request.user, session=created, every_agency=True
                    )
            messages.success(
                request,
                ngettext(
                    "The session is scheduled.",
                    "%(count)d sessions are scheduled.",
                    len(sessions),
                )
                % {"count": len(sessions)},
            )
            return redirect("live:detail", session_id=sessions[0].pk)
    context = {"form": form, "dates_form": dates_form, "time_zone": request.time_zone_name}
    return render(
        request,
        "live/studio/form.html",
        context,
        status=400
        if form.errors or (context.get("dates_form") and context["dates_form"].errors)
        else 200,
    )


@trainer_required
def session_edit(request, session_id):
    session = access_session_for_edit(request.user, session_id)
    initial = {
        "title": session.title,
        "description": session.description,
        "format": session.format,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "capacity": session.capacity,
        "location": session.location,
        "join_url": session.join_url,
        "host": session.host_id,
        "units": list(session.units.values_list("pk", flat=True)),
        "topics": list(session.topics.values_list("pk", flat=True)),
        "every_agency": session.sharing in (Sharing.REQUESTED, Sharing.APPROVED),
        "language": session.language,
        "course": session.course_id,
        "path": session.path_id,
        "credits_step": SessionForm.credits_step_initial(session),
    }
    form = SessionForm(request.POST or None, agency_id=session.agency_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                actor=request.user,
                session=session,
                units=list(form.cleaned_data["units"]),
                **_session_data(form),
            )
            services.session_sharing_set(
                actor=request.user, session=session, every_agency=form.cleaned_data["every_agency"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The session is saved. Registrants are told of changes."))
            return redirect("live:detail", session_id=session.pk)
    context = {"form": form, "session": session, "time_zone": request.time_zone_name}
    return render(
        request,
        "live/studio/form.html",
        context,
        status=400
        if form.errors or (context.get("dates_form") and context["dates_form"].errors)
        else 200,
    )


def _roster_context(request, session, **extra) -> dict:
    context = {
        "session": session,
        "roster": list(selectors.roster(session)),
        "waiting": list(selectors.waiting_list(session)),
        "has_started": session.starts_at <= timezone.now(),
        "error": "",
        "csv_form": AttendanceCsvForm(),
        "followup_form": FollowupForm(
            initial={"recording_url": session.recording_url, "materials": session.materials}
        ),
        "time_zone": request.time_zone_name,
    }
    context.update(extra)
    return context


@trainer_required
def roster(request, session_id):
    session = access_session_for_edit(request.user, session_id)
    error = ""
    if request.method == "POST":
        try:
            counts = services.attendance_record(
                actor=request.user,
                session=session,
                attended_user_ids=request.POST.getlist("attended"),
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        except (ValueError, TypeError):
            error = _("The roster could not be read. Try again.")
        else:
            messages.success(
                request,
                _("Attendance saved: %(attended)d attended, %(absent)d did not.") % counts,
            )
            return redirect("live_studio:roster", session_id=session.pk)
    context = _roster_context(request, session, error=error)
    return render(request, "live/studio/roster.html", context, status=400 if error else 200)


@require_POST
@trainer_required
def attendance_csv(request, session_id):
    session = access_session_for_edit(request.user, session_id)
    form = AttendanceCsvForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.attendance_import(
                actor=request.user,
                session=session,
                content=data["file"].read(),
                email_column=data["email_column"].strip(),
                minutes_column=data["minutes_column"].strip(),
                min_minutes=data["min_minutes"] or 0,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Attendance imported: %(attended)d marked as attended from %(rows)d rows "
                    "(%(short)d under the minimum)."
                )
                % result,
            )
            return redirect("live_studio:roster", session_id=session.pk)
    context = _roster_context(request, session, csv_form=form)
    return render(request, "live/studio/roster.html", context, status=400)


@require_POST
@trainer_required
def followup(request, session_id):
    session = access_session_for_edit(request.user, session_id)
    form = FollowupForm(request.POST)
    if form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The recording and materials are saved."))
            return redirect("live_studio:roster", session_id=session.pk)
    context = _roster_context(request, session, followup_form=form)
    return render(request, "live/studio/roster.html", context, status=400)
