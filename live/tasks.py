"""Thin Celery tasks of live sessions: load by id, call a service."""

from celery import shared_task

from .services import notices, reminders


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def registration_notice_task(self, registration_id: int, kind: str):
    try:
        return notices.notice_send(registration_id=registration_id, kind=kind)
    except OSError as error:  # the mail server did not answer: try again later
        raise self.retry(exc=error) from error


@shared_task
def session_reminders_task():
    """Beat, every minute: record the reminders owed 24 hours and 1 hour before sessions (each
    once, in reminders' log) and hand them to reminders' sending tasks."""
    return len(reminders.session_reminders_record())
