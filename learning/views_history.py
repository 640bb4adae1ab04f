"""The agency admin's page for importing past completions from a CSV (the format is on the
page and in docs/integrations.md); the work is learning.services.completions_import."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from academy.forms import apply_validation_error
from agencies.permissions import agency_admin_required, client_ip
from agencies.selectors import agency_for_actor

from . import services
from .forms import HistoryImportForm


@agency_admin_required
def history_import(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    form = HistoryImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.history_parse_csv(form.cleaned_data["text"])
            result = services.completions_import(
                actor=request.user, agency=agency, rows=rows, ip=client_ip(request)
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = HistoryImportForm()
    return render(
        request,
        "learning/history_import.html",
        {"agency": agency, "form": form, "result": result, "title": _("Import past completions")},
    )
