"""Every change of state of credentials: issuer keys (rotation), issuing a certificate's
credential, marking credentials revoked. Learning's tables are only read, never written."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audit_record, audited
from agencies.models import AuditEvent
from learning.models import Certificate

from .document import build_credential, sign
from .keys import new_key_pair
from .models import Credential, CredentialPolicy, IssuerKey
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
    for _draw in range(INDEX_DRAWS):
        index = secrets.randbelow(MIN_BITS)
        if not Credential.objects.filter(status_index=index).exists():
            return index
    highest = Credential.objects.aggregate(highest=Max("status_index"))["highest"] or 0
    return max(highest + 1, MIN_BITS)


def _result_to_include(certificate: Certificate, enrollment) -> int | None:
    """The final score, when the learner's agency includes results in credentials and the
    certificate is its enrollment's current one (the score of its period; an earlier period's
    credential is issued without it)."""
    if certificate.enrollment_id != enrollment.pk or enrollment.final_score is None:
        return None
    include = CredentialPolicy.objects.filter(
        agency_id=enrollment.agency_id, include_result=True
    ).exists()
    return enrollment.final_score if include else None


def credential_policy_update(*, actor, agency, include_result: bool, ip=None) -> CredentialPolicy:
    """An agency admin chooses whether their members' credentials carry the final score (for
    credentials issued from now on; those already signed stay as they are). Audited."""
    current = CredentialPolicy.objects.filter(agency=agency).first()
    was = bool(current and current.include_result)
    with audited(
        actor=actor,
        agency=agency,
        action="credentials.policy",
        ip=ip,
        changes={"include_result": [was, bool(include_result)]},
    ):
        if not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can change its credential options."))
        policy, _created = CredentialPolicy.objects.update_or_create(
            agency=agency, defaults={"include_result": bool(include_result)}
        )
    return policy


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
        score=_result_to_include(certificate, enrollment),
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
