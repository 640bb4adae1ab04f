"""Issuing a certificate's credential after the certificate's transaction commits."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from learning.models import Certificate

from . import services


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=10,
)
def credential_issue_task(certificate_code: str) -> str | None:
    """Sign and store the certificate's credential (idempotent); the credential's id."""
    certificate = Certificate.objects.filter(code=certificate_code).first()
    if certificate is None:
        return None
    return services.credential_issue(certificate=certificate).document["id"]
