"""Demo credentials: every demo certificate gets its signed Open Badges credential."""

from learning.models import Certificate

from .services import credential_issue


def seed_credentials() -> int:
    """Issue the credential of every certificate that has none yet (idempotent); how many."""
    missing = Certificate.objects.filter(credential__isnull=True).order_by("pk")
    issued = 0
    for certificate in missing.iterator():
        credential_issue(certificate=certificate)
        issued += 1
    return issued
