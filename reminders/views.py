from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.access import access_agency, access_unit, actor_for
from agencies.models import Agency
from agencies.permissions import agency_admin_required, client_ip, people_manager_required
from courses.access import course_visible_q
from courses.models import Course, LearningPath

from . import selectors, services
from .access import access_assignee, access_assignment, can_remove_assignment
from .forms import (
    AssigneeExceptionForm,
    AssignmentDueForm,
    AssignmentForm,
    PolicyForm,
    PreferenceForm,
)
from .models import ReminderPolicy, ReminderPreference

PAGE_SIZE = 50


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _refusal(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


@people_manager_required
def assignment_list(request):
    page = _page(request, selectors.assignment_list(user=request.user))
    return render(request, "reminders/assignment_list.html", {"page": page})


def _assignment_terms(form) -> dict:
    data = form.cleaned_data
    return {
        **form.items(),
        "target": data["target"],
        "unit": data["unit"],
        "people": data["people"] or [],
        "due_on": data["due_on"],
        "due_days": data["due_days"],
        "required": data["required"],
        "recur_months": data["recur_months"],
        "recur_anchor": data["recur_anchor"],
    }


@people_manager_required
def assignment_create(request):
    """The form, then a preview of what it will do (nothing written), then "Confirm and
    assign" (POST `confirm`) saves it; "Change" (POST `change`) goes back to the form with
    the values kept."""
    form = AssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and "change" not in request.POST and form.is_valid():
        terms = _assignment_terms(form)
        try:
            if "confirm" in request.POST:
                assignment = services.assignment_create(
                    actor=request.user, **terms, ip=client_ip(request)
                )
            else:
                preview = services.assignment_preview(actor=request.user, **terms)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if "confirm" in request.POST:
                messages.success(request, _("Training assigned. People are being enrolled now."))
                return redirect("reminders:assignment_detail", assignment.pk)
            return render(
                request,
                "reminders/assignment_confirm.html",
                {
                    "form": form,
                    "preview": preview,
                    "item": terms.get("course") or terms.get("path"),
                },
            )
    return render(request, "reminders/assignment_form.html", {"form": form})


@people_manager_required
def assignment_edit(request, assignment_id):
    """Change the due date of everyone in the assignment, with a reason."""
    assignment = access_assignment(request.user, assignment_id)
    if assignment.removed_at is not None:
        raise Http404
    form = AssignmentDueForm(request.POST or None, user=request.user, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.assignment_update_due(
                actor=request.user,
                assignment=assignment,
                due_on=data["due_on"],
                due_days=data["due_days"],
                reason=data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Due date changed; %(count)d person has a new due date.",
                    "Due date changed; %(count)d people have a new due date.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect("reminders:assignment_detail", assignment.pk)
    return render(
        request, "reminders/assignment_edit.html", {"form": form, "assignment": assignment}
    )


@people_manager_required
def assignee_exception(request, assignment_id, assignee_id):
    """Extend one person's due date, or exempt them, with a reason."""
    assignment = access_assignment(request.user, assignment_id)
    assignee = access_assignee(request.user, assignee_id)
    if assignee.assignment_id != assignment.pk or assignment.removed_at is not None:
        raise Http404
    form = AssigneeExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "exemption":
                services.assignee_exempt(
                    actor=request.user,
                    assignee=assignee,
                    reason=data["reason"],
                    ip=client_ip(request),
                )
                done = _("%(name)s is exempt from this assignment.")
            else:
                services.assignee_extend(
                    actor=request.user,
                    assignee=assignee,
                    due_on=data["due_on"],
                    reason=data["reason"],
                    ip=client_ip(request),
                )
                done = _("%(name)s has a new due date.")
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done % {"name": assignee.user})
            return redirect("reminders:assignment_detail", assignment.pk)
    return render(
        request,
        "reminders/assignment_exception.html",
        {"form": form, "assignment": assignment, "assignee": assignee},
    )


@people_manager_required
def assignment_detail(request, assignment_id):
    assignment = access_assignment(request.user, assignment_id)
    people = _page(request, selectors.assignment_people(user=request.user, assignment=assignment))
    summary = selectors.assignment_summary(user=request.user, assignment=assignment)
    return render(
        request,
        "reminders/assignment_detail.html",
        {
            "assignment": assignment,
            "page": people,
            "summary": summary,
            "exceptions": selectors.assignment_exceptions(user=request.user, assignment=assignment),
            "due_changes": selectors.assignment_due_changes(assignment=assignment),
            "can_remove": can_remove_assignment(request.user, assignment),
        },
    )


@require_POST
@people_manager_required
def assignment_remove(request, assignment_id):
    assignment = access_assignment(request.user, assignment_id)
    try:
        services.assignment_remove(actor=request.user, assignment=assignment, ip=client_ip(request))
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(
            request, _("Assignment removed. Its reminders have stopped; the history is kept.")
        )
    return redirect("reminders:assignment_detail", assignment.pk)


def overdue(request):
    """The overdue list is one page, the reports' one (its old address redirects there)."""
    url = reverse("reports:overdue")
    if request.GET:
        url = f"{url}?{request.GET.urlencode()}"
    return HttpResponsePermanentRedirect(url)


def _overdue_page(data) -> str:
    """The overdue page with the same filters, to come back to."""
    query = urlencode({k: data[k] for k in OVERDUE_FILTERS if data.get(k)})
    return reverse("reports:overdue") + (f"?{query}" if query else "")


@require_POST
@people_manager_required
def nudge(request, assignee_id):
    assignee = access_assignee(request.user, assignee_id)
    try:
        services.reminder_nudge(actor=request.user, assignee=assignee, ip=client_ip(request))
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Reminder sent to %(name)s.") % {"name": assignee.user})
    back = request.POST.get("next", "")
    local = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(back if local else "reports:overdue")


OVERDUE_FILTERS = ("agency", "unit", "course", "path")


def _overdue_filters(user, data) -> dict:
    """The overdue page's filters (agency, unit, course or learning path), each looked up
    inside what the user may see: 404 otherwise, as the page itself answers."""
    actor = actor_for(user)
    agency = unit = None
    course_ids = None
    if data.get("agency"):
        agency = access_agency(user, data["agency"])
        if not actor.is_platform_admin and agency.pk != actor.agency_id:
            raise Http404
    if data.get("unit"):
        unit = access_unit(user, data["unit"])
        if agency is not None and unit.agency_id != agency.pk:
            raise Http404
    try:
        if data.get("course"):
            course = Course.objects.filter(course_visible_q(user)).get(pk=data["course"])
            course_ids = (course.pk,)
        elif data.get("path"):
            paths = LearningPath.objects.all()
            if not actor.is_platform_admin:
                paths = paths.filter(Q(owner__isnull=True) | Q(owner_id=actor.agency_id))
            path = paths.get(pk=data["path"])
            course_ids = tuple(path.steps.values_list("course_id", flat=True))
    except (Course.DoesNotExist, LearningPath.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return {"agency": agency, "unit": unit, "course_ids": course_ids}


@people_manager_required
def nudge_overdue(request):
    """Remind everyone overdue (with the overdue page's filters): GET asks for confirmation,
    saying how many people it reaches; POST sends."""
    data = request.POST if request.method == "POST" else request.GET
    filters = _overdue_filters(request.user, data)
    back = _overdue_page(data)
    if request.method == "POST":
        try:
            count = services.reminder_nudge_overdue(
                actor=request.user, **filters, ip=client_ip(request)
            )
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d reminder sent to people overdue.",
                    "%(count)d reminders sent to people overdue.",
                    count,
                )
                % {"count": count},
            )
        return redirect(back)
    summary = selectors.overdue_reminder_summary(
        enrollments=selectors.overdue_managed(user=request.user, **filters)
    )
    hidden = {k: data[k] for k in OVERDUE_FILTERS if data.get(k)}
    return render(
        request,
        "reminders/nudge_overdue_confirm.html",
        {"summary": summary, "hidden": hidden, "back": back, **filters},
    )


@agency_admin_required
def policy_edit(request):
    agency = Agency.objects.filter(pk=actor_for(request.user).agency_id).first()
    if agency is None:
        raise Http404
    policy = ReminderPolicy.objects.filter(agency=agency).first() or ReminderPolicy(agency=agency)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(
                actor=request.user,
                agency=agency,
                ip=client_ip(request),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reminder policy saved."))
            return redirect("reminders:policy")
    return render(
        request,
        "reminders/policy.html",
        {
            "form": form,
            "delivery": selectors.delivery_summary(agency_id=agency.pk),
            "failed": selectors.failed_reminders(agency_id=agency.pk),
        },
    )


@login_required
def notification_list(request):
    page = _page(request, selectors.notification_list(user=request.user))
    return render(request, "reminders/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request, notification_id=None):
    ids = None if notification_id is None else [notification_id]
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("reminders:notifications")


@login_required
def preferences(request):
    pref = ReminderPreference.objects.filter(user=request.user).first() or ReminderPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {"form": form})
