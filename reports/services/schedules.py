"""Report subscriptions: beat produces due reports and emails a link to each subscriber."""

import datetime
import logging

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ..access import DashboardScope, dashboard_scope
from ..models import ReportRun, ReportSchedule
from .runs import report_request

logger = logging.getLogger(__name__)


def next_run_after(day: datetime.date, frequency: str) -> datetime.date:
    if frequency == ReportSchedule.Frequency.WEEKLY:
        return day + datetime.timedelta(days=7)
    month = day.month % 12 + 1
    year = day.year + (day.month == 12)
    return datetime.date(year, month, 1)


def report_schedule_create(
    *, actor, scope: DashboardScope, kind: str, format: str, frequency: str, today=None
) -> ReportSchedule:
    """Subscribe `actor` to a report of `scope`; the first one comes on the next cycle."""
    today = today or timezone.localdate()
    return ReportSchedule.objects.create(
        user=actor,
        agency=scope.agency,
        unit=scope.unit,
        course=scope.course,
        learning_path=scope.learning_path,
        required_only=scope.required_only,
        kind=kind,
        format=format,
        frequency=frequency,
        next_run_on=next_run_after(today, frequency),
    )


def report_schedule_cancel(*, actor, schedule_id) -> None:
    """Unsubscribe; only the subscriber may. Someone else's schedule, like a missing one,
    raises ReportSchedule.DoesNotExist (the view answers 404, so ids leak nothing)."""
    updated = ReportSchedule.objects.filter(pk=schedule_id, user=actor).update(is_active=False)
    if not updated:
        raise ReportSchedule.DoesNotExist


def report_schedules_run_due(*, today=None) -> list[ReportRun]:
    """Queue a run for every schedule due today or earlier, and move it to its next date.

    Each schedule row is locked and advanced in the same transaction as its run is queued, so a
    second beat (or a retried task) queues nothing twice. A subscriber who may no longer see the
    scope is unsubscribed.
    """
    today = today or timezone.localdate()
    runs = []
    due = ReportSchedule.objects.filter(is_active=True, next_run_on__lte=today)
    for schedule_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = (
                ReportSchedule.objects.select_for_update()
                .select_related("user")
                .filter(pk=schedule_id, is_active=True, next_run_on__lte=today)
                .first()
            )
            if schedule is None:
                continue
            schedule.next_run_on = next_run_after(today, schedule.frequency)
            try:
                scope = dashboard_scope(
                    schedule.user,
                    agency_id=schedule.agency_id,
                    unit_id=schedule.unit_id,
                    course_id=schedule.course_id,
                    path_id=schedule.learning_path_id,
                    required_only=schedule.required_only,
                )
            except Http404:
                schedule.is_active = False
                schedule.save(update_fields=["next_run_on", "is_active"])
                continue
            schedule.save(update_fields=["next_run_on"])
            runs.append(
                report_request(
                    actor=schedule.user,
                    scope=scope,
                    kind=schedule.kind,
                    format=schedule.format,
                    schedule=schedule,
                )
            )
    return runs
