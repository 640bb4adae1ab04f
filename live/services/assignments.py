"""Assigning a live session like a course: to the assigner's agency, a unit subtree or some
people, due at the session's start.

Reminders' assignments hold a course or a path (reminders never imports live), so a session's
assignment lives here, downstream: `SessionAssignment` (who assigned what to whom) and one
`SessionAssignee` row per person, all placed in bulk under the session's row lock by
`registrations_place` (a seat, or the waiting list when the session is full; the same emails and
invitations as registering oneself). A bounded number of queries whatever the number of people.

Assignments to the agency or a unit are standing, like course assignments: people who sign up
into the unit (or a unit below it) or are moved into it later are placed too, while the session
is upcoming (`session_assignments_apply_to_member`, after agencies' MembersJoined / MemberMoved,
see live/subscribers.py). People moved out keep their place, as they keep their enrollments.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for, members_visible_to, units_visible_to
from agencies.models import Membership, Role

from ..access import ancestor_paths, audience_contains
from ..models import (
    AssignTarget,
    LiveSession,
    RegistrationStatus,
    SessionAssignee,
    SessionAssignment,
    Sharing,
)
from .registrations import registrations_place


def can_assign(actor) -> bool:
    """Managers (of a unit) and agency admins assign sessions to people of their scope."""
    return actor.agency_id is not None and (
        actor.role == Role.AGENCY_ADMIN or (actor.role == Role.MANAGER and bool(actor.unit_path))
    )


def _targeted(*, actor, target: str, unit, people) -> list[Membership]:
    """The active memberships the assignment targets, each inside the actor's scope."""
    who = actor_for(actor)
    members = Membership.objects.filter(agency_id=who.agency_id, is_active=True).select_related(
        "user", "unit"
    )
    if target == AssignTarget.AGENCY:
        if who.role != Role.AGENCY_ADMIN:
            raise ValidationError(_("Only agency admins can assign to the whole agency."))
        return list(members)
    if target == AssignTarget.UNIT:
        if unit is None or not units_visible_to(actor).filter(pk=unit.pk).exists():
            raise ValidationError(_("Choose a unit that you manage."))
        return list(members.filter(unit__path__startswith=unit.path))
    if target == AssignTarget.PEOPLE:
        ids = {p.pk for p in people}
        if not ids:
            raise ValidationError(_("Choose at least one person."))
        visible = list(
            members.filter(pk__in=members_visible_to(actor).filter(user_id__in=ids).values("pk"))
        )
        if len(visible) != len(ids):
            raise ValidationError(_("Choose people that you manage."))
        return visible
    raise ValidationError(_("Choose who the session is for."))


def _unit_paths(session: LiveSession) -> list[str]:
    return list(session.units.values_list("path", flat=True))


def session_assign(*, actor, session: LiveSession, target: str, unit=None, people=()) -> dict:
    """Assign an upcoming session the actor may see to their agency (agency admins), a unit
    they manage with the units below it, or people they manage. Everyone targeted who is in the
    session's audience gets a place (or a waiting-list position), all at once under the
    session's row lock (`registrations_place`); people outside the audience are left out and
    counted. Refused (ValidationError) when the session has started or is cancelled, the target
    is outside the actor's scope, or nobody targeted may attend; nothing is written then. The
    same number of queries for 3 people or 3,000 (the emails go out from Celery tasks).

    Returns {"assignment", "registered", "waitlisted", "outside_audience"}."""
    who = actor_for(actor)
    if not can_assign(who):
        raise PermissionDenied
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        if session.agency_id != who.agency_id and session.sharing != Sharing.APPROVED:
            raise PermissionDenied
        if session.is_cancelled:
            raise ValidationError(_("This session is cancelled."))
        if session.starts_at <= timezone.now():
            raise ValidationError(_("This session has already started."))
        members = _targeted(actor=actor, target=target, unit=unit, people=people)
        unit_paths = _unit_paths(session)
        in_audience = [
            m
            for m in members
            if audience_contains(
                session,
                session_unit_paths=unit_paths,
                agency_id=m.agency_id,
                unit_path=m.unit.path if m.unit_id else None,
            )
        ]
        if not in_audience:
            raise ValidationError(_("None of the people chosen may attend this session."))
        assignment = SessionAssignment.objects.create(
            session=session,
            agency_id=who.agency_id,
            target=target,
            unit=unit if target == AssignTarget.UNIT else None,
            assigned_by=actor,
        )
        SessionAssignee.objects.bulk_create(
            (SessionAssignee(assignment=assignment, user_id=m.user_id) for m in in_audience),
            batch_size=500,
        )
        statuses = registrations_place(
            session=session,
            user_ids=[m.user_id for m in in_audience],
            registered_by_id=actor.pk,
        ).values()
    return {
        "assignment": assignment,
        "registered": sum(s == RegistrationStatus.REGISTERED for s in statuses),
        "waitlisted": sum(s == RegistrationStatus.WAITLISTED for s in statuses),
        "outside_audience": len(members) - len(in_audience),
    }


def session_assignments_apply_to_member(*, membership_id: int) -> int:
    """Give a member who signed up into (or was moved into) a unit the standing session
    assignments that now reach them: those of their agency made to the whole agency, or to
    their unit or a unit above it, of sessions not cancelled and not yet started, whose
    audience includes them. Each places them like the original assignees (a seat or the
    waiting list, the same emails) and adds them as an assignee. Safe to call twice: an
    assignment that already names them is skipped. Returns how many assignments reached them."""
    membership = (
        Membership.objects.select_related("unit")
        .filter(pk=membership_id, is_active=True, role__isnull=False)
        .first()
    )
    if membership is None:
        return 0
    unit_path = membership.unit.path if membership.unit_id else None
    standing = (
        SessionAssignment.objects.filter(
            agency_id=membership.agency_id,
            session__is_cancelled=False,
            session__starts_at__gt=timezone.now(),
        )
        .filter(
            Q(target=AssignTarget.AGENCY)
            | Q(target=AssignTarget.UNIT, unit__path__in=ancestor_paths(unit_path))
        )
        .exclude(assignees__user_id=membership.user_id)
        .order_by("pk")
    )
    count = 0
    for assignment in list(standing):
        with transaction.atomic():
            session = LiveSession.objects.select_for_update().get(pk=assignment.session_id)
            if session.is_cancelled or session.starts_at <= timezone.now():
                continue
            if not audience_contains(
                session,
                session_unit_paths=_unit_paths(session),
                agency_id=membership.agency_id,
                unit_path=unit_path,
            ):
                continue
            _assignee, created = SessionAssignee.objects.get_or_create(
                assignment=assignment, user_id=membership.user_id
            )
            if not created:  # a second delivery of the same event
                continue
            registrations_place(
                session=session,
                user_ids=[membership.user_id],
                registered_by_id=assignment.assigned_by_id,
            )
        count += 1
    return count


def session_assignment_delete(*, actor, assignment: SessionAssignment) -> None:
    """Withdraw an assignment (its assigner, or an admin of its agency): the session is no
    longer shown as assigned to its people; the places it gave stay (each person may cancel
    theirs, as anyone may)."""
    who = actor_for(actor)
    if assignment.agency_id != who.agency_id or not (
        assignment.assigned_by_id == who.user_id or who.role == Role.AGENCY_ADMIN
    ):
        raise PermissionDenied
    assignment.delete()
