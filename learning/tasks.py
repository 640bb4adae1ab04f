"""Thin Celery tasks: call a service."""

from celery import shared_task

from .services import certificates_expire


@shared_task
def certificates_expire_task():
    """Record the certificates whose expiry has come (beat, hourly)."""
    return certificates_expire()
