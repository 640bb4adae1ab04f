"""Lookups of learner state inside what the acting user may see; 404 when missing or forbidden.

A learner reaches only their own enrollments and attempts (the lookup filters on the user, so
another learner's or another agency's id answers 404). Certificates are visible to their
learner, to those who see the learner (through `scope_q`: agency admins their agency,
managers their units) and to platform admins (all); revocation to admins of the learner's
agency and platform admins.
"""

from django.db.models import Q
from django.http import Http404

from agencies.access import actor_for, scope_q

from .compiled import enrollment_with_course_and_version
from .models import Certificate, Enrollment, QuizAttempt


def access_enrollment(user, slug, *, shared_version: bool = False) -> Enrollment:
    """The user's own enrollment in the course with this slug, with its course and version,
    or 404. (Not the course's current version: only its id is needed on every page, and
    joining it costs more to compile than the rare page that reads it spends loading it.)
    One query, built once per process (learning.compiled): every player page makes it.
    `shared_version`: the version is the process's shared instance (read only; learning.compiled).
    """
    if not user.is_authenticated or not isinstance(slug, str):
        raise Http404
    enrollment = enrollment_with_course_and_version(user.pk, slug, shared_version=shared_version)
    if enrollment is None:
        raise Http404
    return enrollment


def access_attempt(user, attempt_id) -> QuizAttempt:
    """One of the user's own quiz attempts, or 404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return (
            QuizAttempt.objects.select_related(
                "version", "enrollment__course", "enrollment__version"
            )
            .defer("enrollment__version__snapshot")
            .get(pk=attempt_id, enrollment__user=user)
        )
    except (QuizAttempt.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _certificates():
    return Certificate.objects.select_related("issued_for__course", "issued_for__user")


def access_certificate(user, code) -> Certificate:
    """A certificate the user may see: their own, or one in their scope as an admin/manager."""
    if not user.is_authenticated:
        raise Http404
    qs = _certificates()
    if not actor_for(user).is_platform_admin:
        # Not `scope_q(...) | Q(own)`: a platform admin's scope is the empty Q(), and
        # `Q() | Q(own)` is just `Q(own)`, which hid every other certificate from them.
        qs = qs.filter(
            scope_q(
                user,
                agency_field="issued_for__agency",
                unit_path_field="issued_for__unit__path",
                user_field="issued_for__user",
            )
            | Q(issued_for__user_id=user.pk)
        )
    try:
        return qs.get(code=code)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_revoke(user, certificate: Certificate) -> bool:
    """Only administrators of the learner's agency may revoke a certificate."""
    return actor_for(user).administers_agency(certificate.issued_for.agency_id)


def access_certificate_for_revoke(user, code) -> Certificate:
    """A certificate the user may revoke (agency admin of the learner's agency), or 404."""
    certificate = access_certificate(user, code)
    if not can_revoke(user, certificate):
        raise Http404
    return certificate
