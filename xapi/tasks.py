"""Delivery of the outbox: beat runs `xapi_dispatch_task` every minute (settings)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=14,
)
def xapi_deliver_task(agency_id: int) -> dict:
    """Send one agency's waiting statements (the LRS's own backoff is kept in the database)."""
    return services.outbox_deliver(agency_id=agency_id)


@shared_task
def xapi_purge_task() -> int:
    """Nightly: forget statements the LRSs have had for XAPI_SENT_RETENTION_DAYS."""
    return services.outbox_purge_sent()


@shared_task
def xapi_dispatch_task() -> int:
    """One delivery task per agency whose LRS has statements waiting and is not backing off."""
    agencies = services.agencies_due()
    for agency_id in agencies:
        xapi_deliver_task.delay(agency_id)
    return len(agencies)
