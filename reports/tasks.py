"""Thin Celery tasks: load by id, call a service."""

import datetime

from celery import shared_task

from .services.recompute import aggregates_recompute
from .services.runs import report_run_execute, report_runs_purge
from .services.schedules import report_schedules_run_due
from .services.snapshots import snapshots_write


@shared_task(acks_late=True)
def report_run_task(run_id):
    run = report_run_execute(run_id=run_id)
    return run.status if run else None


@shared_task
def reports_nightly_task(day=None):
    """Recompute the aggregates (repairing drift), then snapshot each agency's yesterday (or
    `day`)."""
    drift = aggregates_recompute(repair=True)
    written = snapshots_write(day=datetime.date.fromisoformat(day) if day else None)
    return {
        "drift_agencies": sorted(drift),
        "drift_cells": sum(map(len, drift.values())),
        "snapshot_rows": written,
    }


@shared_task
def report_schedules_task():
    return [run.pk for run in report_schedules_run_due()]


@shared_task
def report_purge_task():
    return report_runs_purge()
