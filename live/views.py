"""Live sessions for everyone in the audience: the list of upcoming sessions, the session
page, registering and cancelling, and the private calendar feed."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for

from . import calendar, selectors, services
from .access import access_registration, access_session, can_edit_session
from .forms import CheckinForm, FilterForm, RegisterPersonForm, RegistrationForm
from .services.assignments import can_assign


def in_agency_time(view):
    """Sign-in required; times on the page (and in forms) are in the viewer's agency zone."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        zone = actor_for(request.user).agency_time_zone or "UTC"
        with timezone.override(zone):
            request.time_zone_name = zone
            return view(request, *args, **kwargs)

    return wrapped


@in_agency_time
def upcoming(request):
    form = FilterForm(request.GET or None, topics=selectors.upcoming_topics(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = list(
        selectors.upcoming_sessions(
            request.user,
            topic=filters.get("topic", ""),
            format=filters.get("format", ""),
            language=filters.get("language", ""),
            date_from=filters.get("date_from"),
        )[:100]
    )
    actor = actor_for(request.user)
    context = {
        "form": form,
        "sessions": sessions,
        "mine": list(selectors.my_sessions(request.user)),
        "can_schedule": actor.is_trainer and actor.agency_id is not None,
        "time_zone": request.time_zone_name,
    }
    return render(request, "live/upcoming.html", context)


def _detail_context(request, session, **extra):
    actor = actor_for(request.user)
    context = {
        "session": session,
        "time_zone": request.time_zone_name,
        "can_edit": can_edit_session(actor, session),
        "can_assign": can_assign(actor) and not session.is_cancelled,
        "register_form": RegistrationForm(),
        "checkin_form": CheckinForm(),
        **selectors.session_page(request.user, session),
    }
    if actor.manages_people and not context["is_past"]:
        context["person_form"] = RegisterPersonForm(
            people=selectors.people_to_register(request.user, session)
        )
    context.update(extra)
    return context


@in_agency_time
def detail(request, session_id):
    session = access_session(request.user, session_id)
    return render(request, "live/detail.html", _detail_context(request, session))


@require_POST
@in_agency_time
def register(request, session_id):
    session = access_session(request.user, session_id)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            registration = services.registration_create(
                actor=request.user,
                session=session,
                accommodations=form.cleaned_data["accommodations"],
                accommodation_other=form.cleaned_data["accommodation_other"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if registration.status == "waitlisted":
                messages.info(
                    request,
                    _("The session is full: you are number %(position)s on the waiting list.")
                    % {"position": registration.waitlist_position},
                )
            else:
                messages.success(
                    request, _("You are registered. An invitation is on its way by email.")
                )
            return redirect("live:detail", session_id=session.pk)
    context = _detail_context(request, session, register_form=form)
    return render(request, "live/detail.html", context, status=400)


@require_POST
@in_agency_time
def register_person(request, session_id):
    session = access_session(request.user, session_id)
    people = selectors.people_to_register(request.user, session)
    form = RegisterPersonForm(request.POST, people=people)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            registration = services.registration_create(
                actor=request.user, session=session, user=person
            )
        except ValidationError as error:
            apply_validation_error(form, error, "person")
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("%(person)s: %(status)s.")
                % {
                    "person": str(person),
                    "status": registration.get_status_display(),
                },
            )
            return redirect("live:detail", session_id=session.pk)
    context = _detail_context(request, session, person_form=form)
    return render(request, "live/detail.html", context, status=400)


@require_POST
@in_agency_time
def checkin(request, session_id):
    session = access_session(request.user, session_id)
    form = CheckinForm(request.POST)
    if form.is_valid():
        try:
            services.checkin(actor=request.user, session=session, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_validation_error(form, error, "code")
        else:
            messages.success(request, _("You are checked in. Thank you for attending."))
            return redirect("live:detail", session_id=session.pk)
    context = _detail_context(request, session, checkin_form=form)
    return render(request, "live/detail.html", context, status=400)


@require_POST
@in_agency_time
def cancel(request, registration_id):
    registration = access_registration(request.user, registration_id)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The registration is cancelled."))
    return redirect("live:detail", session_id=registration.session_id)


@in_agency_time
def calendar_settings(request):
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar feed is turned off."))
        else:
            services.calendar_feed_reset(user=request.user)
            messages.success(
                request, _("Your calendar feed has a new address; the old one no longer works.")
            )
        return redirect("live:calendar")
    feed = selectors.calendar_feed_for(request.user)
    feed_url = request.build_absolute_uri(reverse("live:feed", args=[feed.token])) if feed else ""
    return render(request, "live/calendar.html", {"feed": feed, "feed_url": feed_url})


def feed(request, token):
    """The private feed: the token is the credential (calendar apps send no cookie)."""
    registrations = selectors.feed_registrations(token)
    if registrations is None:
        raise Http404
    response = HttpResponse(
        calendar.feed(registrations), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@in_agency_time
def by_unit(request):
    """Managers: registrations and attendance per unit they see."""
    if not actor_for(request.user).manages_people:
        raise Http404
    context = {"rows": selectors.attendance_by_unit(request.user)}
    return render(request, "live/by_unit.html", context)
