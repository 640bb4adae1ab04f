"""Thin Celery tasks over policies.reminder_services."""

from celery import shared_task
from django.db import transaction

from . import reminder_services


@shared_task
def policy_reminders_scan_task():
    ids = reminder_services.policy_reminders_scan()
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        transaction.on_commit(lambda batch=batch: policy_reminders_send_task.delay(batch))
    return len(ids)


@shared_task(bind=True, max_retries=5)
def policy_reminders_send_task(self, ids):
    return reminder_services.policy_reminders_send(ids=ids)
