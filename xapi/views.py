"""The agency admin's page for its learning record store: settings, queue, resend."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error
from agencies.permissions import agency_admin_required, client_ip
from agencies.selectors import agency_for_actor

from . import selectors, services
from .forms import LrsConfigForm
from .models import Activity


@agency_admin_required
def lrs_settings(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    config = selectors.lrs_config(agency=agency)
    if config is not None:
        initial = {
            "endpoint": config.endpoint,
            "key": config.key,
            "version": config.version,
            "actor_format": config.actor_format,
            "activities": config.activities,
            "enabled": config.enabled,
        }
    else:
        initial = {"activities": Activity.values, "enabled": True}
    form = LrsConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lrs_config_save(
                actor=request.user,
                agency=agency,
                endpoint=data["endpoint"],
                key=data["key"],
                secret=data["secret"],
                version=data["version"],
                actor_format=data["actor_format"],
                activities=data["activities"],
                enabled=data["enabled"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Learning record store settings saved."))
            return redirect("xapi:settings")
    context = {
        "agency": agency,
        "config": config,
        "form": form,
        "queue": selectors.outbox_summary(agency=agency),
        "retention_days": settings.XAPI_SENT_RETENTION_DAYS,
    }
    return render(request, "xapi/settings.html", context)


@require_POST
@agency_admin_required
def resend_failed(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    count = services.outbox_resend_failed(actor=request.user, agency=agency, ip=client_ip(request))
    messages.success(
        request,
        ngettext(
            "%(count)d statement is waiting to be sent again.",
            "%(count)d statements are waiting to be sent again.",
            count,
        )
        % {"count": count},
    )
    return redirect("xapi:settings")
