"""Every change of state of credentials: issuer keys (rotation), issuing a certificate's
credential, marking credentials revoked. Learning's tables are only read, never written."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from agencies.audit import audit_record
from agencies.models import AuditEvent
from learning.models import Certificate

from .document import build_credential, sign
from .keys import new_key_pair
from .models import Credential, IssuerKey
from .status_list import MIN_BITS

INDEX_DRAWS = 20


def issuer_key_rotate(*, actor=None, ip=None) -> IssuerKey:
    """Make a new active signing key; the previous one is retired (it signs no more) but stays
    published, so every credential it signed still verifies. Audited (a platform action: no
    agency; `actor` None when run from the command line)."""
    kid, private_jwk, public_jwk = new_key_pair()
    with transaction.atomic():
        previous = list(
            IssuerKey.objects.select_for_update().filter(active=True).values_list("kid", flat=True)
        )
        IssuerKey.objects.filter(active=True).update(active=False, retired_at=timezone.now())
        key = IssuerKey.objects.create(kid=kid, private_jwk=private_jwk, public_jwk=public_jwk)
        audit_record(
            actor=actor,
            agency=None,
            action="credentials.key_rotate",
            target=kid,
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            changes={"active_key": [previous[0] if previous else None, kid]},
        )
    return key


def issuer_key_active() -> IssuerKey:
    """The key that signs now, made on first use (a race makes one: the unique constraint on
    the active key refuses the second)."""
    key = IssuerKey.objects.filter(active=True).first()
    if key is not None:
        return key
    kid, private_jwk, public_jwk = new_key_pair()
    try:
        with transaction.atomic():
            return IssuerKey.objects.create(kid=kid, private_jwk=private_jwk, public_jwk=public_jwk)
    except IntegrityError:
        return IssuerKey.objects.get(active=True)


def _free_status_index() -> int:
    """A random free bit of the status list (the list grows past its minimum only once it is
    crowded enough that random draws keep missing)."""
    for _ in range(INDEX_DRAWS):
        index = secrets.randbelow(MIN_BITS)
        if not Credential.objects.filter(status_index=index).exists():
            return index
    highest = Credential.objects.aggregate(highest=Max("status_index"))["highest"] or 0
    return max(highest + 1, MIN_BITS)


def credential_issue(*, certificate: Certificate) -> Credential:
    """The certificate's signed OpenBadgeCredential, issued once (a second call, or a call
    racing the first, returns the one stored). A certificate already revoked gets a credential
    marked revoked."""
    existing = Credential.objects.filter(certificate_id=certificate.pk).first()
    if existing is not None:
        return existing
    certificate = Certificate.objects.select_related("issued_for__user", "issued_for__course").get(
        pk=certificate.pk
    )
    enrollment = certificate.issued_for
    key = issuer_key_active()
    index = _free_status_index()
    document = build_credential(
        certificate=certificate,
        enrollment=enrollment,
        course=enrollment.course,
        email=enrollment.user.email,
        status_index=index,
    )
    try:
        with transaction.atomic():
            return Credential.objects.create(
                certificate=certificate,
                key=key,
                status_index=index,
                document=document,
                signed=sign(document, issued_at=certificate.issued_at, key=key),
                revoked_at=certificate.revoked_at,
            )
    except IntegrityError:  # issued meanwhile, or the index was taken: the stored one wins
        existing = Credential.objects.filter(certificate_id=certificate.pk).first()
        if existing is None:
            return credential_issue(certificate=certificate)
        return existing


def credentials_revoke(*, certificate_codes: list[str]) -> int:
    """Mark the credentials of these certificates revoked (their status list bit turns on), in
    one UPDATE; returns how many changed. Already revoked ones keep their first date."""
    if not certificate_codes:
        return 0
    return Credential.objects.filter(
        certificate__code__in=certificate_codes, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
