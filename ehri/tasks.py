"""Thin Celery tasks: load by id, call a service."""

from celery import shared_task

from .services import feed_export_execute, feed_exports_purge, feeds_monthly


@shared_task(acks_late=True)
def feed_export_task(export_id):
    export = feed_export_execute(export_id=export_id)
    return export.status if export else None


@shared_task
def feeds_monthly_task():
    return [export.pk for export in feeds_monthly()]


@shared_task
def feed_exports_purge_task():
    return feed_exports_purge()
