"""The acknowledgement cells follow the people: a member who moves unit, or is deactivated or
reactivated, takes their acknowledgements with them (policies.cells), in the transaction of
the change. Wired in PoliciesConfig.ready."""

from academy.events import subscribe
from agencies.events import MemberActiveChanged, MemberMoved

from .cells import person_changed


def _counted(member, unit_id) -> dict:
    return {member.user_id: unit_id} if member.active else {}


def cells_follow_move(event: MemberMoved) -> None:
    member = event.member
    person_changed(
        user_id=member.user_id,
        agency_id=member.agency_id,
        before=_counted(member, event.old_unit_id),
        after=_counted(member, member.unit_id),
    )


def cells_follow_active(event: MemberActiveChanged) -> None:
    member = event.member
    counted = {member.user_id: member.unit_id}
    person_changed(
        user_id=member.user_id,
        agency_id=member.agency_id,
        before={} if member.active else counted,
        after=counted if member.active else {},
    )


def register() -> None:
    subscribe(MemberMoved, cells_follow_move, app_label="policies")
    subscribe(MemberActiveChanged, cells_follow_active, app_label="policies")
