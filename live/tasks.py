"""Thin Celery tasks of live sessions: load by id, call a service."""

from celery import shared_task

from .services import assignments, notices, reminders


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def registration_notice_task(self, registration_id: int, kind: str):
    try:
        return notices.notice_send(registration_id=registration_id, kind=kind)
    except OSError as error:  # the mail server did not answer: try again later
        raise self.retry(exc=error) from error


@shared_task
def registration_notices_task(registration_ids: list[int], kind: str):
    """A chunk of emails of a bulk change (an assignment): one email task per person, so each
    is retried on its own."""
    for registration_id in registration_ids:
        registration_notice_task.delay(registration_id, kind)
    return len(registration_ids)


@shared_task
def session_reminders_task():
    """Beat, every minute: record the reminders owed 24 hours and 1 hour before sessions (each
    once, in reminders' log) and hand them to reminders' sending tasks."""
    return len(reminders.session_reminders_record())


@shared_task
def session_assignments_apply_to_member_task(membership_id: int):
    """A person joined or moved into a unit: the standing session assignments reach them."""
    return assignments.session_assignments_apply_to_member(membership_id=membership_id)
