"""What live does when the organisation layer publishes events (wired in LiveConfig.ready).

Session assignments to an agency or a unit are standing, as course assignments are
(reminders.subscribers): people who sign up into the unit, or are moved into it, are placed at
its upcoming assigned sessions by a Celery task after the commit. People placed directly or in
bulk (seeders, scripts) are not, as with courses."""

from django.db import transaction

from academy.events import subscribe
from agencies.events import JoinSource, MemberMoved, MembersJoined

from .tasks import session_assignments_apply_to_member_task


def _give_standing_session_assignments(membership_id: int) -> None:
    transaction.on_commit(lambda: session_assignments_apply_to_member_task.delay(membership_id))


def standing_sessions_for_newcomers(event: MembersJoined) -> None:
    if event.source == JoinSource.SIGNUP:
        for member in event.members:
            _give_standing_session_assignments(member.membership_id)


def standing_sessions_for_moved_member(event: MemberMoved) -> None:
    """The new unit's standing session assignments reach the person; the places they hold
    from the old unit's stay (they keep their enrollments too)."""
    _give_standing_session_assignments(event.member.membership_id)


def register() -> None:
    subscribe(MembersJoined, standing_sessions_for_newcomers, app_label="live")
    subscribe(MemberMoved, standing_sessions_for_moved_member, app_label="live")
