"""The admins' pages for API clients: an agency admin's for the agency's clients, a platform
admin's for platform clients (which see every agency); created with scopes (secret shown once)
and revoked. The API itself is in api_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.permissions import agency_admin_required, client_ip, platform_admin_required
from agencies.selectors import agency_for_actor

from . import selectors, services
from .forms import ClientForm, PlatformClientForm


def _client_page(request, *, agency, form_class, platform: bool):
    form = form_class(request.POST or None)
    new_client = new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            new_client, new_secret = services.client_create(
                actor=request.user,
                agency=agency,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = form_class()
    context = {
        "agency": agency,
        "platform": platform,
        "form": form,
        "new_client": new_client,
        "new_secret": new_secret,
        "clients": selectors.client_list(agency=agency),
        "token_url": request.build_absolute_uri(reverse("api_v1:token")),
        "docs_url": reverse("api_v1:docs"),
    }
    response = render(request, "api/client_list.html", context)
    if new_secret:
        # The secret is on this page only: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


@agency_admin_required
def client_list(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        if actor_for(request.user).is_platform_admin:
            return redirect("api:platform_client_list")
        return redirect("agencies:agency_list")
    return _client_page(request, agency=agency, form_class=ClientForm, platform=False)


@platform_admin_required
def platform_client_list(request):
    return _client_page(request, agency=None, form_class=PlatformClientForm, platform=True)


@require_POST
@agency_admin_required
def client_revoke(request, client_id):
    client = selectors.client_for_admin(user=request.user, client_id=client_id)
    if client is None:
        raise Http404
    try:
        services.client_revoke(actor=request.user, client=client, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The client “%(name)s” is revoked.") % {"name": client.name})
    return redirect("api:platform_client_list" if client.is_platform else "api:client_list")
