"""Report runs: requested in a web request, produced by a Celery task, kept for a while.

A run is queued, then running (with rows_done moving), then done (with its file) or failed
(with the reason and no file). Files are written row by row to a temporary file and only then
copied to Django's storage, so a run that fails midway never leaves a partial file on offer.
"""

import logging
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import DashboardScope, report_runs_visible_to
from ..models import ReportFormat, ReportRun
from ..registries import report_kinds
from ..selectors import dashboard_figures
from . import exporters
from .notifications import report_schedule_notify
from .pdf import write_pdf

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_request(
    *, actor, scope: DashboardScope, kind: str, format: str, schedule=None
) -> ReportRun:
    """Queue a report of `scope` (already checked by reports.access.dashboard_scope); `kind` is
    a key of reports.registries.report_kinds.

    Returns at once; the task starts after the transaction commits.
    """
    from ..tasks import report_run_task  # tasks.py imports this module

    if kind not in report_kinds or format not in ReportFormat.values:
        raise ValueError(f"unknown report {kind}.{format}")
    with transaction.atomic():
        run = ReportRun.objects.create(
            requested_by=actor,
            agency=scope.agency,
            unit=scope.unit,
            course=scope.course,
            learning_path=scope.learning_path,
            required_only=scope.required_only,
            kind=kind,
            format=format,
            schedule=schedule,
        )
        transaction.on_commit(lambda: report_run_task.delay(run.pk))
    return run


def scope_of(run) -> DashboardScope:
    course_ids = None
    if run.course_id:
        course_ids = (run.course_id,)
    elif run.learning_path_id:
        course_ids = tuple(run.learning_path.steps.values_list("course_id", flat=True))
    return DashboardScope(
        agency=run.agency,
        unit=run.unit,
        course=run.course,
        learning_path=run.learning_path,
        course_ids=course_ids,
        required_only=run.required_only,
    )


def summary_title(run) -> str:
    """The title of a PDF summary and of its HTML equivalent."""
    return _("Training summary: %(scope)s") % {
        "scope": run.unit.name if run.unit else run.agency.name if run.agency else _("all agencies")
    }


def _filename(run) -> str:
    place = run.unit.name if run.unit else run.agency.slug if run.agency else "all-agencies"
    safe = "".join(c if c.isalnum() else "-" for c in place).strip("-").lower() or "scope"
    return f"{run.kind}-{safe}-{timezone.localdate():%Y%m%d}.{run.format}"


def _write(run, fileobj) -> int:
    scope = scope_of(run)

    def progress(done):
        ReportRun.objects.filter(pk=run.pk).update(rows_done=done)

    if run.format == ReportFormat.PDF:
        return write_pdf(dashboard_figures(scope), fileobj, title=summary_title(run))
    report = report_kinds[run.kind]
    if run.format == ReportFormat.CSV and report.csv_copy is not None:
        written = report.csv_copy(scope, fileobj, progress=progress)
        if written is not None:
            return written
    rows = report.rows(scope)
    if run.format == ReportFormat.XLSX:
        return exporters.write_xlsx(rows, fileobj, title=str(report.label), progress=progress)
    return exporters.write_csv(rows, fileobj, progress=progress)


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Produce a queued run. Safe to call twice: only the call that claims it does the work."""
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.QUEUED).update(
        status=ReportRun.Status.RUNNING, started_at=timezone.now()
    )
    run = (
        ReportRun.objects.select_related("agency", "unit", "course", "learning_path")
        .filter(pk=run_id)
        .first()
    )
    if not claimed or run is None:
        return run
    saved = None
    try:
        with tempfile.TemporaryFile() as temporary:
            rows = _write(run, temporary)
            temporary.seek(0)
            name = f"reports/{uuid.uuid4().hex}/{_filename(run)}"
            saved = default_storage.save(name, File(temporary, name=name))
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.DONE, file=saved, rows_done=rows, finished_at=timezone.now()
        )
    except Exception as error:  # the reason is kept for the person who asked
        logger.exception("Report run %s failed", run_id)
        if saved:
            default_storage.delete(saved)
        reason = f"{error.__class__.__name__}: {error}"[:2000]
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, error=reason, file="", finished_at=timezone.now()
        )
    run.refresh_from_db()
    if run.schedule_id:
        report_schedule_notify(run=run)
    return run


def report_runs_recent(*, user, limit: int = 20):
    return list(
        report_runs_visible_to(user).select_related("agency", "unit", "requested_by")[:limit]
    )


def report_file(*, run: ReportRun) -> tuple[str, str, str] | None:
    """(storage name, download name, content type) of a finished run's file, or None (not
    done, or failed). The caller has checked access and serves it privately
    (`academy.files.private_file_response`, which answers 404 if the file is gone)."""
    if run.status != ReportRun.Status.DONE or not run.file:
        return None
    return run.file.name, run.file.name.rsplit("/", 1)[-1], CONTENT_TYPES[run.format]


def report_runs_purge(*, now=None) -> int:
    """Delete runs (and their files) older than REPORT_RETENTION_DAYS; fail runs stuck running.

    Returns the number of runs deleted.
    """
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.REPORT_RETENTION_DAYS)
    deleted = 0
    for run in ReportRun.objects.filter(created_at__lt=cutoff).iterator(chunk_size=500):
        if run.file:
            default_storage.delete(run.file.name)
        run.delete()
        deleted += 1
    stuck = now - timezone.timedelta(hours=settings.REPORT_STUCK_HOURS)
    ReportRun.objects.filter(
        status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING], created_at__lt=stuck
    ).update(
        status=ReportRun.Status.FAILED,
        finished_at=now,
        error=_("The report did not finish in time (the worker may have stopped)."),
    )
    return deleted
