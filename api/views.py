"""The agency admin's page for API clients: created with scopes (secret shown once) and
revoked. The API itself is in api_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.permissions import agency_admin_required, client_ip
from agencies.selectors import agency_for_actor

from . import selectors, services
from .forms import ClientForm
from .models import ApiClient


@agency_admin_required
def client_list(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    form = ClientForm(request.POST or None)
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
            form = ClientForm()
    context = {
        "agency": agency,
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


@require_POST
@agency_admin_required
def client_revoke(request, client_id):
    agency = agency_for_actor(user=request.user)
    client = get_object_or_404(
        ApiClient.objects.select_related("agency"),
        pk=client_id,
        agency_id=agency.pk if agency else None,
    )
    try:
        services.client_revoke(actor=request.user, client=client, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The client “%(name)s” is revoked.") % {"name": client.name})
    return redirect("api:client_list")
