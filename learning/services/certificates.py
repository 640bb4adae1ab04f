"""Certificates: issued once on completion, revocable by the learner's agency admins, and
expired (recorded once, by the beat) when the validity of the version they were earned on runs
out."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import AuditEvent
from agencies.services import audit_record

from ..events import EnrollmentState, publish_enrollment_changes
from ..models import Certificate, Enrollment, Verb
from .enrollment import _issue_certificate
from .events import EventBatch, event_record


def certificate_issue(*, enrollment: Enrollment) -> Certificate:
    """The completed enrollment's certificate, issued once (names copied as they are today)."""
    with transaction.atomic():
        existing = Certificate.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        log = EventBatch()
        certificate = _issue_certificate(enrollment, log)
        log.save()
        publish_enrollment_changes(
            [
                (
                    EnrollmentState.of(enrollment, certified=False),
                    EnrollmentState.of(enrollment, certified=True),
                )
            ]
        )
    return certificate


def certificate_revoke(*, actor, certificate: Certificate, reason: str, ip=None) -> Certificate:
    """Revoke a certificate, with a reason, as an agency admin of the learner's agency.

    Anyone else gets PermissionDenied (views answer 404, so ids leak nothing across
    agencies). Revoking twice keeps the first revocation. Audited via agencies.services.audit_record.
    """
    reason = (reason or "").strip()
    acting = actor_for(actor)
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("issued_for")
            .get(pk=certificate.pk)
        )
        enrollment = certificate.issued_for
        if not acting.administers_agency(enrollment.agency_id):
            raise PermissionDenied(_("Only the learner's agency admins can revoke a certificate."))
        if not reason:
            raise ValidationError(_("Give a reason for revoking the certificate."))
        if certificate.revoked_at is not None:
            return certificate
        certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason[:2000]
        certificate.revoked_by = actor
        certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        if certificate.enrollment_id is not None:  # an earlier period's counts no more
            publish_enrollment_changes(
                [
                    (
                        EnrollmentState.of(
                            enrollment, certified=True, expired=certificate.expired_at is not None
                        ),
                        EnrollmentState.of(enrollment, certified=False),
                    )
                ]
            )
        event_record(
            enrollment=enrollment,
            verb=Verb.CERTIFICATE_REVOKED,
            user=actor,
            object_type="certificate",
            object_key=certificate.code,
            result={"reason": certificate.revoked_reason},
        )
        audit_record(
            actor=actor,
            agency=enrollment.agency,
            action="certificate.revoke",
            target=certificate.code,
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail={"enrollment": enrollment.pk, "reason": certificate.revoked_reason},
            changes={"status": ["valid", "revoked"], "reason": [None, certificate.revoked_reason]},
        )
    return certificate


# Certificates whose expiry is recorded per transaction: a bounded lock set and event.
EXPIRE_BATCH = 500


def certificates_expire(*, now=None) -> int:
    """Record the expiry of every certificate whose `expires_at` has come, once each.

    A certificate still attached to its enrollment (the current period's, not revoked) moves
    that enrollment from compliant to expired in the aggregates: its enrollment is locked and
    one `EnrollmentsChanged` is published per batch. Detached (earlier periods) and revoked
    certificates are only marked. Idempotent: a recorded expiry is never recorded again, so a
    second beat or a retried task changes nothing. Returns how many were recorded.
    """
    now = now or timezone.now()
    due = Certificate.objects.filter(expired_at__isnull=True, expires_at__lte=now)
    recorded = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("expires_at", "id").values_list("pk", flat=True)[:EXPIRE_BATCH])
            if not ids:
                return recorded
            attached = list(
                Enrollment.objects.select_for_update()
                .filter(certificate__pk__in=ids, certificate__revoked_at__isnull=True)
                .select_related("agency")
                .order_by("pk")
            )
            # Re-read under the enrollments' locks: a concurrent run may have recorded some.
            still = set(
                due.filter(pk__in=ids, revoked_at__isnull=True).values_list(
                    "enrollment_id", flat=True
                )
            )
            attached = [enrollment for enrollment in attached if enrollment.pk in still]
            recorded += due.filter(pk__in=ids).update(expired_at=now)
            publish_enrollment_changes(
                (
                    EnrollmentState.of(enrollment, certified=True, expired=False),
                    EnrollmentState.of(enrollment, certified=True, expired=True),
                )
                for enrollment in attached
            )
