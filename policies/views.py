"""The AI policy's pages: the admins' editor, the reader's page, the managers' status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from academy.forms import apply_validation_error
from academy.spreadsheet import csv_lines
from agencies.access import actor_for
from agencies.permissions import agency_admin_required, client_ip, people_manager_required
from agencies.selectors import agency_for_actor
from courses.markdown import render_markdown

from . import selectors, services
from .forms import AcknowledgeForm, DraftForm, StatusFilterForm


@agency_admin_required
def manage(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        raise Http404
    page = selectors.policy_admin_page(agency=agency)
    policy = page["policy"]
    initial = {"due_days": 30, "yearly": False}
    if policy is not None:
        initial = {
            "title": policy.draft_title,
            "body_en": policy.draft_body_en,
            "body_fr": policy.draft_body_fr,
            "due_days": policy.due_days,
            "yearly": policy.yearly,
        }
    form = DraftForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = request.POST.get("action", "save")
        if action == "preview":
            preview = {
                "en": render_markdown(data["body_en"]),
                "fr": render_markdown(data["body_fr"]),
            }
        else:
            try:
                services.policy_draft_save(
                    actor=request.user,
                    agency=agency,
                    title=data["title"],
                    body_en=data["body_en"],
                    body_fr=data["body_fr"],
                    due_days=data["due_days"],
                    yearly=data["yearly"],
                    ip=client_ip(request),
                )
                if action == "publish":
                    version = services.policy_publish(
                        actor=request.user, agency=agency, ip=client_ip(request)
                    )
                    messages.success(
                        request,
                        _("Version %(number)s is published; everyone is asked to acknowledge it.")
                        % {"number": version.number},
                    )
                else:
                    messages.success(request, _("Draft saved."))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return redirect("policies:manage")
    return render(request, "policies/manage.html", {**page, "form": form, "preview": preview})


@agency_admin_required
def version_detail(request, number):
    agency = agency_for_actor(user=request.user)
    version = agency and selectors.version_for_admin(agency=agency, number=number)
    if not version:
        raise Http404
    return render(request, "policies/version.html", {"version": version})


@login_required
def read(request):
    data = selectors.learner_policy(request.user)
    version = data["version"]
    if version is None:
        raise Http404
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_acknowledge(
                user=request.user,
                version=version,
                typed_name=form.cleaned_data["typed_name"],
                ip=client_ip(request),
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
            return redirect("policies:read")
    html, language = selectors.localised(version)
    return render(
        request,
        "policies/read.html",
        {**data, "html": html, "text_language": language, "form": form},
    )


@people_manager_required
def status(request):
    filters = StatusFilterForm(request.GET or None)
    chosen = filters.cleaned_data["status"] if filters.is_valid() else ""
    data = selectors.acknowledgement_status(request.user, status=chosen)
    return render(
        request,
        "policies/status.html",
        {**data, "filters": filters, "status": chosen, "actor": actor_for(request.user)},
    )


@people_manager_required
def status_csv(request):
    filters = StatusFilterForm(request.GET or None)
    chosen = filters.cleaned_data["status"] if filters.is_valid() else ""
    version, rows = selectors.status_rows(request.user, status=chosen)
    if version is None:
        raise Http404
    header = [_("Name"), _("Email"), _("Unit"), _("Version"), _("Acknowledged"), _("When")]
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="ai-policy-acknowledgements-v{version.number}.csv"'
    )
    return response
