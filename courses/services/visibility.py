"""Showing a course to every agency: an agency's trainers ask, a platform admin decides.

A trainer or agency admin who chooses "Every agency" opens a pending `VisibilityRequest`; the
course keeps the visibility it had (owner-only for a new course) until a platform admin
approves. Platform admins (who approve anyway) and the system (actor None: seeders, bundle
imports of platform courses) set it directly. Every request and decision is in the audit log.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import AuditEvent
from agencies.services import audit_record, audited

from ..catalog_version import catalog_changed
from ..models import Course, Visibility, VisibilityRequest
from ._common import require

PENDING = VisibilityRequest.State.PENDING


def needs_approval(actor, course: Course, visibility: str) -> bool:
    """Would setting `visibility` on `course` need a platform admin's approval?"""
    if visibility != Visibility.ALL or course.visibility == Visibility.ALL:
        return False
    return actor is not None and not actor_for(actor).is_platform_admin


def visibility_request_open(*, actor, course: Course, ip=None) -> VisibilityRequest:
    """Ask for `course` to be shown to every agency (idempotent: one pending request per
    course). Call inside the caller's transaction; audited as course.visibility_request."""
    request, created = VisibilityRequest.objects.get_or_create(
        course=course, state=PENDING, defaults={"requested_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            agency=course.owner,
            action="course.visibility_request",
            target=course.slug,
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            changes={"visibility": [course.visibility, Visibility.ALL.value]},
        )
    return request


def visibility_request_withdraw(*, course: Course) -> int:
    """Withdraw the course's pending request (its editors chose another visibility)."""
    return VisibilityRequest.objects.filter(course=course, state=PENDING).update(
        state=VisibilityRequest.State.WITHDRAWN, decided_at=timezone.now()
    )


def visibility_direct_record(*, actor, course: Course, visibility: str) -> None:
    """Audit a platform admin showing an agency's course to every agency straight from its
    settings (their choice is the approval)."""
    if (
        actor is not None
        and course.owner_id is not None
        and visibility == Visibility.ALL
        and course.visibility != Visibility.ALL
    ):
        audit_record(
            actor=actor,
            agency=course.owner,
            action="course.visibility_approve",
            target=course.slug,
            outcome=AuditEvent.Outcome.SUCCESS,
            changes={"visibility": [course.visibility, Visibility.ALL.value]},
        )


def visibility_request_decide(
    *, actor, request: VisibilityRequest, approve: bool, ip=None
) -> VisibilityRequest:
    """A platform admin approves (the course is then shown to every agency) or rejects a
    pending request. Audited, refusals included; deciding twice is refused."""
    course = request.course
    action = "course.visibility_approve" if approve else "course.visibility_reject"
    with audited(
        actor=actor,
        agency=course.owner,
        action=action,
        target=course.slug,
        ip=ip,
        changes={"visibility": [course.visibility, Visibility.ALL.value]} if approve else None,
    ) as entry:
        require(
            actor is not None and actor_for(actor).is_platform_admin,
            _("Only a platform admin can decide who sees a course."),
        )
        locked = VisibilityRequest.objects.select_for_update().get(pk=request.pk)
        require(locked.state == PENDING, _("This request was already decided or withdrawn."))
        locked.state = (
            VisibilityRequest.State.APPROVED if approve else VisibilityRequest.State.REJECTED
        )
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        if approve:
            locked_course = Course.objects.select_for_update().get(pk=course.pk)
            entry.changes = {"visibility": [locked_course.visibility, Visibility.ALL.value]}
            locked_course.visibility = Visibility.ALL
            locked_course.save(update_fields=["visibility"])
            catalog_changed()
    return locked
