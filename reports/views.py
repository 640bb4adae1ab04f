"""Thin views: parse filters, resolve the scope (404 outside it), call a selector or service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.files import private_file_response
from agencies.access import actor_for, units_visible_to
from agencies.permissions import people_manager_required, platform_admin_required

from . import charts, selectors
from .access import access_report_run, dashboard_scope
from .forms import DashboardFilterForm, ReportRequestForm, ReportScheduleForm
from .models import ReportFormat, ReportSchedule
from .selectors.dashboard import dashboard_filter_choices, dashboard_panel_list
from .selectors.overdue import overdue_for, overdue_people
from .services import runs as run_services
from .services import schedules as schedule_services

FILTERS = ("agency", "unit", "course", "path", "start", "end", "required")
OVERDUE_PAGE = 50


def _scope_from(request, data):
    form = DashboardFilterForm(data)
    values = form.cleaned_data if form.is_valid() else {}
    scope = dashboard_scope(
        request.user,
        agency_id=values.get("agency"),
        unit_id=values.get("unit"),
        course_id=values.get("course"),
        path_id=values.get("path"),
        required_only=values.get("required"),
        start=values.get("start"),
        end=values.get("end"),
    )
    return scope, form


def _query(request, **changes):
    """The current filters as a query string, with some changed (None drops a filter)."""
    params = {k: request.GET.get(k) for k in FILTERS if request.GET.get(k)}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def _up_query(request, scope):
    """The filters one level up the unit tree, or None at the top of what the user may see."""
    if scope.unit is None:
        return None
    if scope.locked_unit and scope.unit.pk == actor_for(request.user).unit_id:
        return None
    return _query(request, unit=scope.unit.parent_id)


@people_manager_required
def dashboard(request):
    scope, form = _scope_from(request, request.GET)
    figures = selectors.dashboard_figures(scope)
    choices = dashboard_filter_choices(scope)
    unit_choices = []
    if scope.agency is not None:
        unit_choices = list(
            units_visible_to(request.user)
            .filter(agency_id=scope.agency.pk)
            .values_list("pk", "name", "path")
            .order_by("path")
        )
    funnel = figures["funnel"]
    stages = [
        (_("Members"), funnel["members"]),
        (_("Activated"), funnel["activated"]),
        (_("Started"), funnel["started"]),
        (_("Completed"), funnel["completed"]),
    ]
    for row in figures["breakdown"]:
        if row["drill"]:
            key = "agency" if "agency_id" in row else "unit"
            row["drill_query"] = _query(request, **{key: row.get("agency_id") or row["unit_id"]})
    context = {
        **figures,
        "form": form,
        "choices": choices,
        "stages": stages,
        "unit_choices": [
            (pk, name, "– " * (path.count("/") - 2)) for pk, name, path in unit_choices
        ],
        "trend_svg": charts.trend_chart(figures["weeks"]),
        "funnel_svg": charts.funnel_chart(stages),
        "query": _query(request),
        "actor": actor_for(request.user),
        "up_query": _up_query(request, scope),
        "report_form": ReportRequestForm(),
        "schedule_form": ReportScheduleForm(),
        "panels": dashboard_panel_list(scope),
        # The report request sits near the top, folded; "?report=1" (from the reports list)
        # opens it.
        "open_request": request.GET.get("report") == "1",
    }
    return render(request, "reports/dashboard.html", context)


OVERDUE_FILTERS = ("agency", "unit", "course", "path")


@people_manager_required
def overdue(request):
    """The one overdue list (the dashboard's count links here; /reminders/overdue/ redirects
    here): the definition is `reminders.selectors.overdue_enrollments`."""
    data = {k: request.GET.get(k) for k in OVERDUE_FILTERS if request.GET.get(k)}
    scope, _form = _scope_from(request, data)
    paginator = Paginator(overdue_for(request.user, scope), OVERDUE_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = overdue_people(
        request.user, scope, limit=OVERDUE_PAGE, offset=(page.number - 1) * OVERDUE_PAGE
    )
    unit_choices = []
    if scope.agency is not None:
        unit_choices = [
            (pk, name, "– " * (path.count("/") - 2))
            for pk, name, path in units_visible_to(request.user)
            .filter(agency_id=scope.agency.pk)
            .values_list("pk", "name", "path")
            .order_by("path")
        ]
    query = urlencode(data)
    return render(
        request,
        "reports/overdue.html",
        {
            "scope": scope,
            "page": page,
            "rows": rows,
            "query": query,
            "today": scope.today(),
            "unit_choices": unit_choices,
            "choices": dashboard_filter_choices(scope, paths=False),
        },
    )


@platform_admin_required
def platform(request):
    adoption = selectors.platform_adoption()
    for row in adoption["agencies"]:
        row["trend_counts"] = [w["completions"] for w in row["trend"]]
        row["sparkline"] = charts.sparkline(
            row["trend_counts"],
            uid=f"spark-{row['agency'].pk}",
            title=_("Weekly completions in %(agency)s") % {"agency": row["agency"].name},
        )
    return render(request, "reports/platform.html", adoption)


@people_manager_required
def run_list(request):
    if request.method == "POST":
        scope, _form = _scope_from(request, request.POST)
        if request.POST.get("frequency"):
            form = ReportScheduleForm(request.POST)
            if form.is_valid():
                schedule_services.report_schedule_create(
                    actor=request.user,
                    scope=scope,
                    kind=form.cleaned_data["kind"],
                    format=form.cleaned_data["format"],
                    frequency=form.cleaned_data["frequency"],
                )
                messages.success(request, _("Subscribed. The report will arrive by email."))
                return redirect("reports:run_list")
        else:
            form = ReportRequestForm(request.POST)
            if form.is_valid():
                run = run_services.report_request(
                    actor=request.user,
                    scope=scope,
                    kind=form.cleaned_data["kind"],
                    format=form.cleaned_data["format"],
                )
                return redirect("reports:run_detail", run_id=run.pk)
        messages.error(request, _("Choose a report and a format."))
        return redirect("reports:run_list")
    runs = run_services.report_runs_recent(user=request.user)
    schedules = ReportSchedule.objects.filter(user=request.user, is_active=True).select_related(
        "agency", "unit"
    )
    return render(
        request,
        "reports/run_list.html",
        {
            "runs": runs,
            "schedules": schedules,
            "dashboard": reverse("reports:dashboard") + "?report=1#request-a-report",
        },
    )


@people_manager_required
def run_detail(request, run_id):
    run = access_report_run(request.user, run_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": run.status,
                "status_display": run.get_status_display(),
                "rows_done": run.rows_done,
                "finished": run.is_finished,
            }
        )
    return render(request, "reports/run_detail.html", {"run": run})


@people_manager_required
def run_status(request, run_id):
    """The run's status as an HTML fragment, polled by static/js/report-status.js."""
    run = access_report_run(request.user, run_id)
    return render(request, "reports/_run_status.html", {"run": run})


@people_manager_required
def run_summary(request, run_id):
    """The accessible HTML equivalent of a PDF summary (reportlab writes no tagged PDF): the
    same figures for the run's scope, as of today."""
    run = access_report_run(request.user, run_id)
    if run.format != ReportFormat.PDF:
        raise Http404
    figures = selectors.dashboard_figures(run_services.scope_of(run))
    return render(
        request,
        "reports/run_summary.html",
        {"run": run, "title": run_services.summary_title(run), **figures},
    )


@people_manager_required
def run_download(request, run_id):
    run = access_report_run(request.user, run_id)
    stored = run_services.report_file(run=run)
    if stored is None:
        raise Http404
    name, filename, content_type = stored
    return private_file_response(name, filename, content_type)


@require_POST
@people_manager_required
def schedule_delete(request, schedule_id):
    try:
        schedule_services.report_schedule_cancel(actor=request.user, schedule_id=schedule_id)
    except ReportSchedule.DoesNotExist as missing:
        raise Http404 from missing
    messages.success(request, _("Unsubscribed."))
    return redirect("reports:run_list")
