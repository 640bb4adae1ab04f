"""What reminders does when other apps publish events (wired in RemindersConfig.ready)."""

from django.db import transaction

from academy.events import subscribe
from agencies.events import JoinSource, MemberMoved, MembersJoined, UnitMoved

from .services import assignees_follow_member, assignees_follow_unit_move
from .tasks import assignments_apply_to_member_task


def _give_standing_assignments(membership_id: int) -> None:
    """After commit, give the member their unit's (and agency's) standing assignments."""
    transaction.on_commit(lambda: assignments_apply_to_member_task.delay(membership_id))


def standing_assignments_for_newcomers(event: MembersJoined) -> None:
    """People who signed up get the standing assignments of where they landed. People placed
    directly or in bulk (seeders, scripts) do not: their assignments are made explicitly."""
    if event.source == JoinSource.SIGNUP:
        for member in event.members:
            _give_standing_assignments(member.membership_id)


def assignees_follow_moved_member(event: MemberMoved) -> None:
    """Reminder rows keep a copy of the unit path, so the managers who see them are those of
    the unit the person is in now; then the new unit's standing assignments reach them."""
    assignees_follow_member(user_id=event.member.user_id, unit_path=event.member.unit_path)
    _give_standing_assignments(event.member.membership_id)


def assignees_follow_moved_unit(event: UnitMoved) -> None:
    assignees_follow_unit_move(
        agency_id=event.agency_id, old_path=event.old_path, new_path=event.new_path
    )


def register() -> None:
    subscribe(MembersJoined, standing_assignments_for_newcomers, app_label="reminders")
    subscribe(MemberMoved, assignees_follow_moved_member, app_label="reminders")
    subscribe(UnitMoved, assignees_follow_moved_unit, app_label="reminders")
