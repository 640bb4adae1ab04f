"""Reads of session assignments: the assigner's list on the session page, and the sessions
assigned to a learner with their places on My learning. Scoped to the acting user; one query
each."""

import datetime

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from academy.prepared import prepared
from agencies.access import actor_for
from agencies.models import Role

from .models import (
    LiveSession,
    Registration,
    RegistrationStatus,
    SessionAssignee,
    SessionAssignment,
)

# My learning shows at most this many assigned sessions, and this many of the learner's places.
ASSIGNED_SHOWN, PLACES_SHOWN = 10, 5
# Rows read for both lists: a learner would need more upcoming sessions than this, assigned or
# held, for an assigned one among the first ten (or a place among the first five) to be left off.
UPCOMING_READ = 200


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


@prepared(user_id=int, now=datetime.datetime)
def _upcoming_for_learner(user_id, now):
    """Sessions not over and not cancelled that were assigned to the user or where they hold a
    place (registered or waiting), soonest first, with `is_assigned` and their place."""
    mine = Registration.objects.filter(session=OuterRef("pk"), user_id=user_id)
    held = mine.filter(status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED])
    assigned = SessionAssignee.objects.filter(user_id=user_id, assignment__session=OuterRef("pk"))
    return (
        LiveSession.objects.filter(Exists(assigned) | Exists(held), ends_at__gt=now)
        .filter(is_cancelled=False)
        .annotate(
            is_assigned=Exists(assigned),
            my_status=Subquery(mine.values("status")[:1]),
            my_position=Subquery(mine.values("waitlist_position")[:1]),
        )
        .order_by("starts_at", "pk")
        .values("pk", "title", "starts_at", "is_assigned", "my_status", "my_position")[
            :UPCOMING_READ
        ]
    )


def my_learning_section(user) -> dict:
    """My learning's live sessions: those assigned to the learner (`assigned`, at most ten,
    due = the start, with their place) and the learner's places (`mine`, at most five: registered
    or waiting), soonest first, as plain dicts (pk, title, starts_at, is_assigned, my_status,
    my_position); times are shown in the agency's `zone`. One query, compiled once per
    process."""
    rows = _upcoming_for_learner(user_id=user.pk, now=timezone.now())
    held = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
    return {
        "zone": actor_for(user).agency_time_zone,
        "assigned": [row for row in rows if row["is_assigned"]][:ASSIGNED_SHOWN],
        "mine": [row for row in rows if row["my_status"] in held][:PLACES_SHOWN],
    }
