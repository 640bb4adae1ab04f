"""The agency admin's page for provisioning (SCIM): tokens, and departments that matched no
unit. The SCIM endpoints themselves are in api.py."""

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
from .forms import TokenForm
from .models import ScimToken


@agency_admin_required
def token_list(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.token_create(
                actor=request.user,
                agency=agency,
                name=form.cleaned_data["name"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = TokenForm()
    context = {
        "agency": agency,
        "form": form,
        "new_token": new_token,
        "tokens": selectors.token_list(agency=agency),
        "scim_url": request.build_absolute_uri(reverse("scim:root")),
        "unmatched": selectors.unmatched_departments(agency=agency),
    }
    response = render(request, "provisioning/token_list.html", context)
    if new_token:
        # The token is on this page only: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@agency_admin_required
def token_revoke(request, token_id):
    agency = agency_for_actor(user=request.user)
    token = get_object_or_404(
        ScimToken.objects.select_related("agency"),
        pk=token_id,
        agency_id=agency.pk if agency else None,
    )
    try:
        services.token_revoke(actor=request.user, token=token, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("provisioning:token_list")
