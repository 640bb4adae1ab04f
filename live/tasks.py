"""Thin Celery tasks of live sessions: load by id, call a service."""

from celery import shared_task

from .services import notices


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def registration_notice_task(self, registration_id: int, kind: str):
    try:
        return notices.notice_send(registration_id=registration_id, kind=kind)
    except OSError as error:  # the mail server did not answer: try again later
        raise self.retry(exc=error) from error
