"""Certificates: issued once on completion, revocable by the learner's agency admins."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import AuditEvent
from agencies.services import audit_record
from reports.services.aggregates import EnrollmentState, enrollment_changed

from ..models import Certificate, Enrollment, Verb
from .events import event_record

CODE_BYTES = 16  # 22 URL-safe characters, 128 bits: not guessable


def certificate_issue(*, enrollment: Enrollment) -> Certificate:
    """The enrollment's certificate, issued once (names copied as they are today)."""
    with transaction.atomic():
        existing = Certificate.objects.filter(enrollment=enrollment).first()
        if existing is not None:
            return existing
        user = enrollment.user
        certificate = Certificate.objects.create(
            enrollment=enrollment, issued_for=enrollment, period=enrollment.period,
            code=secrets.token_urlsafe(CODE_BYTES),
            learner_name=user.full_name or user.email,
            course_title=enrollment.version.title, agency_name=enrollment.agency.name,
        )
        enrollment_changed(before=EnrollmentState.of(enrollment, certified=False),
                           after=EnrollmentState.of(enrollment, certified=True))
        event_record(enrollment=enrollment, verb=Verb.CERTIFICATE_ISSUED,
                     object_type="certificate", object_key=certificate.code)
    return certificate


def certificate_revoke(*, actor, certificate: Certificate, reason: str, ip=None) -> Certificate:
    """Revoke a certificate, with a reason, as an agency admin of the learner's agency.

    Anyone else gets Http404 (ids leak nothing across agencies). Revoking twice keeps the
    first revocation. Audited via agencies.services.audit_record.
    """
    reason = (reason or "").strip()
    acting = actor_for(actor)
    with transaction.atomic():
        certificate = (Certificate.objects.select_for_update(of=("self",))
                       .select_related("issued_for").get(pk=certificate.pk))
        enrollment = certificate.issued_for
        if not (acting.is_platform_admin
                or (acting.is_agency_admin and acting.agency_id == enrollment.agency_id)):
            raise Http404
        if not reason:
            raise ValidationError(_("Give a reason for revoking the certificate."))
        if certificate.revoked_at is not None:
            return certificate
        certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason[:2000]
        certificate.revoked_by = actor
        certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        if certificate.enrollment_id is not None:  # an earlier period's counts no more
            enrollment_changed(before=EnrollmentState.of(enrollment, certified=True),
                               after=EnrollmentState.of(enrollment, certified=False))
        event_record(enrollment=enrollment, verb=Verb.CERTIFICATE_REVOKED, user=actor,
                     object_type="certificate", object_key=certificate.code,
                     result={"reason": certificate.revoked_reason})
        audit_record(actor=actor, agency=enrollment.agency, action="certificate.revoke",
                     target=certificate.code, ip=ip, outcome=AuditEvent.Outcome.SUCCESS,
                     detail={"enrollment": enrollment.pk, "reason": certificate.revoked_reason})
    return certificate
