"""Reads of session assignments: the assigner's list on the session page, and the sessions
assigned to a learner on My learning. Scoped to the acting user; one query each."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from agencies.access import actor_for
from agencies.models import Role

from .models import LiveSession, Registration, SessionAssignee, SessionAssignment


def session_assignments(user, session: LiveSession):
    """The assignments of this session the user may see and withdraw: those they made, and
    for an agency admin every one of their agency. Never another agency's."""
    actor = actor_for(user)
    if actor.agency_id is None:
        return SessionAssignment.objects.none()
    rows = SessionAssignment.objects.filter(session=session, agency_id=actor.agency_id)
    if actor.role != Role.AGENCY_ADMIN:
        rows = rows.filter(assigned_by_id=actor.user_id)
    return rows.select_related("unit", "assigned_by").annotate(people=Count("assignees"))


def assigned_sessions(user):
    """Sessions not yet over and not cancelled that were assigned to the user, soonest first
    (due = the start), with the user's place (`my_status`, `my_position`)."""
    mine = Registration.objects.filter(session=OuterRef("pk"), user=user)
    assigned = SessionAssignee.objects.filter(user=user, assignment__session=OuterRef("pk"))
    return (
        LiveSession.objects.filter(Exists(assigned), ends_at__gt=timezone.now(), is_cancelled=False)
        .annotate(
            my_status=Subquery(mine.values("status")[:1]),
            my_position=Subquery(mine.values("waitlist_position")[:1]),
        )
        .order_by("starts_at")
    )


def assigned_sessions_section(user) -> dict:
    """My learning: the live sessions assigned to the learner (at most ten), one query."""
    return {"zone": actor_for(user).agency_time_zone, "rows": list(assigned_sessions(user)[:10])}
