"""Certificates: issued once on completion, revocable by the learner's agency admins."""

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
                        EnrollmentState.of(enrollment, certified=True),
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
