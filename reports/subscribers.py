"""How reports keeps its aggregate rows in step with other apps' events, in their transaction.

Wired in ReportsConfig.ready; reports subscribes last (academy.events.SUBSCRIBER_ORDER), so
enrollments move before their cells, and member counts change after the enrollment cells.
"""

from dataclasses import replace

from academy.events import subscribe
from agencies.events import MemberActivated, MemberActiveChanged, MemberMoved, MembersJoined
from learning.events import EnrollmentsChanged

from .services.aggregates import enrollments_changed
from .services.members import MemberState, members_changed


def enrollment_cells_follow(event: EnrollmentsChanged) -> None:
    enrollments_changed(event.changes)


def count_joined(event: MembersJoined) -> None:
    members_changed((None, MemberState.of(member)) for member in event.members)


def count_moved(event: MemberMoved) -> None:
    after = MemberState.of(event.member)
    members_changed([(replace(after, unit_id=event.old_unit_id), after)])


def count_active_changed(event: MemberActiveChanged) -> None:
    after = MemberState.of(event.member)
    members_changed([(replace(after, active=not after.active), after)])


def count_activated(event: MemberActivated) -> None:
    after = MemberState.of(event.member)
    members_changed([(replace(after, activated=False), after)])


def register() -> None:
    subscribe(EnrollmentsChanged, enrollment_cells_follow, app_label="reports")
    subscribe(MembersJoined, count_joined, app_label="reports")
    subscribe(MemberMoved, count_moved, app_label="reports")
    subscribe(MemberActiveChanged, count_active_changed, app_label="reports")
    subscribe(MemberActivated, count_activated, app_label="reports")
