"""The agency admin's OPM training feed page, course coding, employee ids, downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.files import private_file_response
from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.permissions import agency_admin_required, client_ip
from agencies.selectors import agency_for_actor

from . import selectors, services, sessions
from .feed import corrections_preview, duty_hours, feed_build, last_month
from .forms import CodingForm, EmployeeIdsForm, PeriodForm, SessionCodingForm, SettingsForm

CONTENT_TYPES = {
    "xml": "application/xml",
    "txt": "text/plain; charset=utf-8",
    "corrections": "text/plain; charset=utf-8",
}


def _agency_or_redirect(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        raise Http404
    return agency


@agency_admin_required
def feed_page(request):
    agency = _agency_or_redirect(request)
    start, end = last_month(agency)
    period = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if period.is_bound and period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    settings_row = selectors.reporting_settings(agency=agency)
    context = {
        "agency": agency,
        "period": period,
        "start": start,
        "end": end,
        "settings_form": SettingsForm(
            initial={
                "subelement_code": settings_row.subelement_code if settings_row else "",
                "require_coding": settings_row.require_coding if settings_row else True,
            }
        ),
        "feed": feed_build(agency=agency, start=start, end=end),
        "corrections": corrections_preview(agency=agency),
        "exports": selectors.feed_exports(agency=agency),
    }
    return render(request, "ehri/feed.html", context)


@agency_admin_required
@require_POST
def settings_save(request):
    agency = _agency_or_redirect(request)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.reporting_settings_save(
                actor=request.user,
                agency=agency,
                subelement_code=form.cleaned_data["subelement_code"],
                require_coding=form.cleaned_data["require_coding"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("OPM reporting settings saved."))
    else:
        messages.error(request, _("Give the agency subelement code, letters and digits."))
    return redirect("ehri:feed")


@agency_admin_required
@require_POST
def feed_request(request):
    agency = _agency_or_redirect(request)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("ehri:feed")
    services.feed_request(
        actor=request.user,
        agency=agency,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        ip=client_ip(request),
    )
    messages.success(request, _("The feed is being produced; it will appear below."))
    return redirect("ehri:feed")


@login_required
def export_download(request, export_id, part):
    export = selectors.access_export(request.user, export_id)
    field = {"xml": "xml_file", "txt": "delimited_file", "corrections": "corrections_file"}.get(
        part
    )
    stored = getattr(export, field) if field else None
    if not stored:
        raise Http404
    name = stored.name
    return private_file_response(name, name.rsplit("/", 1)[-1], CONTENT_TYPES[part])


@login_required
def coding(request, course_id):
    course = selectors.access_course_for_coding(request.user, course_id)
    agency = agency_for_actor(user=request.user)
    own, owner = selectors.coding_for(course=course, agency_id=agency.pk)
    instance = own or services.default_coding(course, agency)
    if own is None and owner is not None:
        instance = owner  # an override starts from the owner's coding
    form = CodingForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.course_coding_save(
                actor=request.user, course=course, values=values, ip=client_ip(request)
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("EHRI coding saved."))
            return redirect("ehri:coding", course_id=course.pk)
    context = {
        "subject": course.title,
        "form": form,
        "is_override": course.owner_id != agency.pk,
        "owner_coding": owner,
        "default_hours": duty_hours(None, course.estimated_minutes),
    }
    return render(request, "ehri/coding.html", context)


@login_required
def session_coding(request, session_id):
    session = sessions.access_session_for_coding(request.user, session_id)
    overriding = sessions.is_override(request.user, session)
    acting_agency = actor_for(request.user).agency_id if overriding else session.agency_id
    own, owner = sessions.session_codings_for(session=session, agency_id=acting_agency)
    # An override starts from the owner's coding (as courses), else from the defaults.
    instance = own or owner or sessions.session_default_coding(session)
    form = SessionCodingForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        try:
            sessions.session_coding_save(
                actor=request.user, session=session, values=values, ip=client_ip(request)
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("EHRI coding saved."))
            return redirect("ehri:session_coding", session_id=session.pk)
    context = {
        "subject": session.title,
        "form": form,
        "is_session": True,
        "is_override": overriding,
        "has_override": own is not None and overriding,
        "owner_name": session.agency.name,
        "default_hours": sessions.session_hours(session),
    }
    return render(request, "ehri/coding.html", context)


@login_required
def session_list(request):
    actor = actor_for(request.user)
    if not (actor.is_agency_admin or actor.is_trainer):
        raise Http404
    rows = sessions.session_coding_list(user=request.user)
    context = {
        "rows": rows,
        "shared_rows": sessions.shared_session_list(user=request.user),
        "show_feed_link": actor.is_agency_admin,
    }
    return render(request, "ehri/sessions.html", context)


@agency_admin_required
def courses(request):
    agency = _agency_or_redirect(request)
    rows = selectors.course_coding_list(agency_id=agency.pk)
    return render(request, "ehri/courses.html", {"rows": rows})


@agency_admin_required
def employee_ids(request):
    agency = _agency_or_redirect(request)
    form = EmployeeIdsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            try:
                count = services.employee_ids_import(
                    actor=request.user, agency=agency, text=text, ip=client_ip(request)
                )
            except ValidationError as error:
                for message in error.messages[:50]:
                    form.add_error("file", message)
            else:
                messages.success(request, _("%(n)s employee ids imported.") % {"n": count})
                return redirect("ehri:employee_ids")
    return render(request, "ehri/employee_ids.html", {"form": form})
