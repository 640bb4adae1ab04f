"""Thin Celery tasks over reminders.services; each owns its retry policy, none owns logic."""

import logging

from celery import shared_task

from agencies.models import Membership

from . import conf, services
from .services.sending import DATABASE_UNREACHABLE, backoff_seconds

logger = logging.getLogger(__name__)

# A task that finds the database unreachable (a restart, a failover) tries again a little later,
# 1, 2, 4 ... 60 seconds apart, about ten minutes in all (what it held is still in the database:
# nothing was claimed, or the claim committed). Past that, the sweep finds the work again.
WHILE_DATABASE_UNREACHABLE = {
    "autoretry_for": DATABASE_UNREACHABLE,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": False,
    "max_retries": 14,
}


@shared_task
def reminders_scan_task():
    """Beat, every minute: record due reminders and enqueue their sending; digests; the
    reminders of registered sources without a schedule of their own (practice reviews)."""
    total = 0
    while True:
        result = services.reminders_scan()
        total += len(result.log_ids)
        if not result.more:
            break
    total += len(services.digests_scan())
    total += len(services.sources_record())
    return total


@shared_task
def reminders_sweep_task():
    """Beat: resend rows stuck in 'sending' (same Message-ID), requeue lost 'pending' rows and
    assignments whose materialising task was lost."""
    outcome = services.reminders_sweep()
    size = conf.chunk_size()
    ids = outcome["requeue"]
    for start in range(0, len(ids), size):
        reminder_send_task.delay(ids[start : start + size])
    unfinished = services.assignments_unfinished()
    for assignment_id in unfinished:
        assignment_materialise_task.delay(assignment_id)
    return {
        "failed": outcome["failed"],
        "resent": outcome["resent"],
        "requeued": len(ids),
        "materialising": len(unfinished),
    }


@shared_task
def expiry_reminders_task():
    """Beat, hourly: "certificate expiring" reminders, and the refresher at the first step."""
    return len(services.expiry_reminders_record())


@shared_task
def recurrence_roll_task():
    return services.recurrence_roll()


@shared_task(acks_late=True, **WHILE_DATABASE_UNREACHABLE)
def reminder_send_task(log_ids):
    """Send a chunk of reminders. Rows that failed to send come back as a new task after an
    exponential backoff (per attempt count), until REMINDERS_MAX_ATTEMPTS marks them failed."""
    result = services.reminders_send(log_ids=log_ids)
    by_attempt = {}
    for pk, attempts in result.retry.items():
        by_attempt.setdefault(attempts, []).append(pk)
    for attempts, ids in by_attempt.items():
        countdown = backoff_seconds(attempts)
        logger.warning("Retrying %d reminders in %ss (attempt %d)", len(ids), countdown, attempts)
        reminder_send_task.apply_async(args=[ids], countdown=countdown)
    return {
        "sent": len(result.sent),
        "skipped": len(result.skipped),
        "retry": len(result.retry),
        "failed": len(result.failed),
    }


@shared_task(acks_late=True, **WHILE_DATABASE_UNREACHABLE)
def assignment_materialise_task(assignment_id):
    """Enroll an assignment's people batch by batch (each batch commits its progress)."""
    while not services.assignment_materialise_batch(assignment_id=assignment_id):
        pass


@shared_task
def assignments_apply_to_member_task(membership_id):
    membership = Membership.objects.select_related("unit").filter(pk=membership_id).first()
    if membership is not None:
        services.assignments_apply_to_member(membership=membership)
