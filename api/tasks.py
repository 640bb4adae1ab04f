"""The API's nightly housekeeping (beat schedule in settings)."""

from celery import shared_task

from . import services


@shared_task
def idempotency_purge_task() -> int:
    """Nightly: forget Idempotency-Keys older than API_IDEMPOTENCY_KEY_HOURS."""
    return services.idempotent_purge()
