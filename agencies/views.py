from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from academy.spreadsheet import csv_lines

from . import domains as domain_services
from . import selectors, services
from .access import access_invitation, access_membership, access_unit, actor_for
from .audit import audit_csv_rows, audit_lines
from .forms import (
    AgencyCreateForm,
    AgencySettingsForm,
    AuditFilterForm,
    InvitationForm,
    MembershipForm,
    UnitForm,
)
from .models import Agency
from .permissions import (
    agency_admin_required,
    client_ip,
    people_manager_required,
    platform_admin_required,
)
from .registries import settings_sections

PAGE_SIZE = 50
INVITATIONS_SHOWN = 25


def _apply_service(form, call):
    """Run a service; put its refusal on the form instead of letting it escape."""
    try:
        return call()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


def _acting_agency(request, form, field):
    """The acting user's agency; a platform admin without one must pick a unit instead."""
    agency_id = actor_for(request.user).agency_id
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        form.add_error(field, _("Choose a unit, so that Academy knows which agency this is for."))
    return agency


@people_manager_required
def member_list(request):
    search = request.GET.get("q", "").strip()
    members = selectors.member_list(user=request.user, search=search)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = selectors.invitation_pending_list(user=request.user, search=search)
    shown = list(invitations[: INVITATIONS_SHOWN + 1])
    invitation_count = len(shown) if len(shown) <= INVITATIONS_SHOWN else invitations.count()
    context = {
        "page": page,
        "search": search,
        "invitations": shown[:INVITATIONS_SHOWN],
        "invitation_count": invitation_count,
        "now": timezone.now(),
    }
    return render(request, "agencies/member_list.html", context)


@require_POST
@people_manager_required
def invitation_resend(request, invitation_id):
    invitation = access_invitation(request.user, invitation_id)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
        )
    return redirect("agencies:member_list")


@people_manager_required
def invitation_revoke(request, invitation_id):
    """GET: ask for confirmation; POST: revoke."""
    invitation = access_invitation(request.user, invitation_id)
    if request.method == "POST":
        try:
            services.invitation_revoke(
                actor=request.user, invitation=invitation, ip=client_ip(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was revoked.") % {"email": invitation.email},
            )
        return redirect("agencies:member_list")
    return render(request, "agencies/invitation_revoke.html", {"invitation": invitation})


@people_manager_required
def member_invite(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        agency = unit.agency if unit else _acting_agency(request, form, "unit")
        if agency is not None:
            _apply_service(
                form,
                lambda: services.invitation_create(
                    actor=request.user,
                    agency=agency,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    unit=unit,
                    ip=client_ip(request),
                ),
            )
        if not form.errors:
            # The same words whether or not the address has an account, here or elsewhere
            # (invitation_create may send nothing when another agency invited it first).
            messages.success(
                request,
                _("If %(email)s can join, an invitation is on its way to it.")
                % {"email": form.cleaned_data["email"].strip().lower()},
            )
            return redirect("agencies:member_list")
    return render(request, "agencies/member_invite.html", {"form": form})


@people_manager_required
def member_edit(request, membership_id):
    membership = access_membership(request.user, membership_id)
    initial = {"role": membership.role, "unit": membership.unit_id}
    form = MembershipForm(
        request.POST or None, user=request.user, initial=initial, current_role=membership.role
    )
    if request.method == "POST" and form.is_valid():
        done = _apply_service(
            form,
            lambda: services.membership_update(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                ip=client_ip(request),
            ),
        )
        if done is not None:
            messages.success(request, _("Saved changes for %(name)s.") % {"name": membership.user})
            return redirect("agencies:member_list")
    return render(request, "agencies/member_edit.html", {"form": form, "membership": membership})


@require_POST
@agency_admin_required
def member_set_active(request, membership_id):
    membership = access_membership(request.user, membership_id)
    active = request.POST.get("active") == "1"
    try:
        services.membership_set_active(
            actor=request.user, membership=membership, active=active, ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("%(name)s can sign in again.") if active else _("%(name)s has been deactivated.")
        messages.success(request, text % {"name": membership.user})
    return redirect("agencies:member_edit", membership_id=membership.pk)


@people_manager_required
def unit_list(request):
    form = UnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data["parent"]
        agency = parent.agency if parent else _acting_agency(request, form, "parent")
        unit = agency and _apply_service(
            form,
            lambda: services.unit_create(
                actor=request.user,
                agency=agency,
                name=form.cleaned_data["name"],
                parent=parent,
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            ),
        )
        if unit is not None:
            messages.success(request, _("Unit “%(name)s” added.") % {"name": unit.name})
            return redirect("agencies:unit_list")
    units = selectors.unit_tree(user=request.user)
    return render(request, "agencies/unit_list.html", {"units": units, "form": form})


@people_manager_required
def unit_edit(request, unit_id):
    unit = access_unit(request.user, unit_id)
    form = UnitForm(
        request.POST or None,
        user=request.user,
        exclude_subtree_of=unit,
        initial={"name": unit.name, "code": unit.code, "parent": unit.parent_id},
    )
    if request.method == "POST" and form.is_valid():
        done = _apply_service(
            form,
            lambda: services.unit_update(
                actor=request.user,
                unit=unit,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            ),
        )
        if done is not None:
            messages.success(request, _("Unit “%(name)s” saved.") % {"name": unit.name})
            return redirect("agencies:unit_list")
    return render(request, "agencies/unit_edit.html", {"form": form, "unit": unit})


def _audit_events(request):
    form = AuditFilterForm(request.GET or None, user=request.user)
    events = selectors.audit_log(
        user=request.user, action_prefix=request.GET.get("family", ""), **form.filters()
    )
    return form, events


@agency_admin_required
def audit_log(request):
    form, events = _audit_events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "lines": list(audit_lines(page)), "form": form}
    return render(request, "agencies/audit_log.html", context)


@agency_admin_required
def audit_log_export(request):
    """The filtered audit log as CSV, streamed (no page limit), formula-safe."""
    _form, events = _audit_events(request)
    rows = audit_csv_rows(events.iterator(chunk_size=2000))
    response = StreamingHttpResponse(csv_lines(next(rows), rows), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


def _section_saved(request, agency, section, section_form) -> bool:
    """Save a posted section of another app through its own service; False when the form or
    the service refuses it (the reasons are then on the section's form)."""
    if not section_form.is_valid():
        return False
    try:
        section.save(
            actor=request.user,
            agency=agency,
            data=section_form.cleaned_data,
            ip=client_ip(request),
        )
    except ValidationError as error:
        apply_validation_error(section_form, error)
        return False
    return True


@agency_admin_required
def agency_settings(request):
    agency = selectors.agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    domains = list(agency.domains.all())
    initial = {
        "name": agency.name,
        "acronym": agency.acronym,
        "time_zone": agency.time_zone,
        "default_language": agency.default_language,
        "mfa_required": agency.mfa_required,
        "domains": ", ".join(d.domain for d in domains),
    }
    # A section of another app (agencies.registries.settings_sections) posts its key.
    posted = request.POST.get("section") if request.method == "POST" else None
    form = AgencySettingsForm(
        request.POST if request.method == "POST" and not posted else None, initial=initial
    )
    sections = [
        (key, section, section.form(agency, request.POST if key == posted else None, key))
        for key, section in settings_sections.items()
    ]
    for key, section, section_form in sections:
        if key == posted and _section_saved(request, agency, section, section_form):
            messages.success(request, section.saved_message)
            return redirect("agencies:agency_settings")
    if request.method == "POST" and not posted and form.is_valid():
        data = form.cleaned_data
        done = _apply_service(
            form,
            lambda: services.agency_update_settings(
                actor=request.user,
                agency=agency,
                name=data["name"],
                acronym=data["acronym"],
                domains=form.domain_list(),
                time_zone=data["time_zone"],
                default_language=data["default_language"],
                mfa_required=data["mfa_required"],
                ip=client_ip(request),
            ),
        )
        if done is not None:
            messages.success(request, _("Agency settings saved."))
            return redirect("agencies:agency_settings")
    pending = [d.domain for d in domains if d.status == d.Status.PENDING]
    context = {
        "form": form,
        "agency": agency,
        "pending_domains": pending,
        "sections": [
            {"key": key, "title": section.title, "form": section_form}
            for key, section, section_form in sections
        ],
    }
    return render(request, "agencies/agency_settings.html", context)


@platform_admin_required
def agency_list(request):
    form = AgencyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = _apply_service(
            form,
            lambda: services.agency_create(
                actor=request.user,
                name=data["name"],
                acronym=data["acronym"],
                slug=data["slug"],
                domains=form.domain_list(),
                time_zone=data["time_zone"],
                default_language=data["default_language"],
                mfa_required=data["mfa_required"],
                ip=client_ip(request),
            ),
        )
        if agency is not None:
            messages.success(request, _("Agency “%(name)s” created.") % {"name": agency.name})
            return redirect("agencies:agency_list")
    agencies = selectors.agency_list(user=request.user)
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "form": form})


@platform_admin_required
def domain_requests(request):
    """Platform admins: the email domains agency admins added, waiting for approval."""
    pending = domain_services.pending_domain_list(user=request.user)
    return render(request, "agencies/domain_requests.html", {"domains": pending})


@require_POST
@platform_admin_required
def domain_decide(request, domain_id):
    domain = get_object_or_404(domain_services.pending_domain_list(user=request.user), pk=domain_id)
    approve = request.POST.get("decision") == "approve"
    call = domain_services.domain_approve if approve else domain_services.domain_reject
    try:
        call(actor=request.user, domain=domain, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("%(domain)s is approved for %(agency)s.")
            if approve
            else _("%(domain)s was rejected for %(agency)s.")
        )
        messages.success(request, text % {"domain": domain.domain, "agency": domain.agency.name})
    return redirect("agencies:domain_requests")
