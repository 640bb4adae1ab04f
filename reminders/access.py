"""May this user touch this assignment or assignee? Lookups answer 404 when missing or forbidden."""

from django.db.models import Q
from django.http import Http404

from agencies.access import actor_for, scope_q
from agencies.models import Membership, Role

from .models import Assignee, Assignment


def assignments_visible_to(user):
    """Agency admins see their agency's assignments; managers those aimed at their subtree
    (or made by them); platform admins all; anyone else none."""
    actor = actor_for(user)
    visible = actor.rows_q(unit_path_field="scope_path")
    if actor.is_manager and actor.unit_path and not actor.is_platform_admin:
        visible |= Q(agency_id=actor.agency_id, created_by_id=actor.user_id)
    return Assignment.objects.filter(visible)


def can_remove_assignment(user, assignment: Assignment) -> bool:
    """Only the assigner's level or above may remove an assignment: platform admins any, agency
    admins any of their agency's, a manager only their own and those made by managers of their
    unit or a unit below it (never an agency or platform admin's). At most one query."""
    actor = actor_for(user)
    if actor.administers_agency(assignment.agency_id):
        return True
    if not actor.is_manager or actor.agency_id != assignment.agency_id:
        return False
    if assignment.created_by_id is not None and assignment.created_by_id == actor.user_id:
        return True
    assigner = (
        Membership.objects.filter(
            user_id=assignment.created_by_id, agency_id=assignment.agency_id, role=Role.MANAGER
        )
        .values_list("unit__path", flat=True)
        .first()
    )
    return assigner is not None and actor.sees_unit_path(assignment.agency_id, assigner)


def assignees_visible_to(user):
    """Assignees in what the user manages, by the one scope rule (`scope_q`): platform admins
    all, agency admins their agency's, managers those in their unit's subtree; learners and
    trainers none. Nothing leaves out the user's own rows: an agency admin, or a manager placed
    in the unit they manage, sees (and may nudge) their own; a manager without a unit sees only
    their own."""
    actor = actor_for(user)
    if not actor.manages_people:
        return Assignee.objects.none()
    return Assignee.objects.filter(
        scope_q(user, agency_field="agency", unit_path_field="unit_path", user_field="user")
    )


def access_assignment(user, assignment_id) -> Assignment:
    try:
        return (
            assignments_visible_to(user)
            .select_related("course", "path", "unit", "agency")
            .get(pk=assignment_id)
        )
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_assignee(user, assignee_id) -> Assignee:
    try:
        return (
            assignees_visible_to(user)
            .select_related("user", "enrollment", "agency")
            .get(pk=assignee_id)
        )
    except (Assignee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
