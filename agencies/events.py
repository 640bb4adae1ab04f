"""Events the organisation layer publishes (academy.events) when people or units change.

Training apps keep rows about people by agency and unit (enrollments, reminder rows, member
counts); they subscribe to these events and move their own rows. This app imports none of them.
"""

from dataclasses import dataclass

from academy.events import Event


@dataclass(frozen=True)
class Member:
    """What other apps need to know about one membership, as it is after the change."""

    membership_id: int
    user_id: int
    agency_id: int
    unit_id: int | None
    unit_path: str
    active: bool
    activated: bool  # the person has signed in at least once

    @classmethod
    def of(cls, membership, *, activated: bool, unit_path: str | None = None) -> "Member":
        if unit_path is None:
            unit_path = membership.unit.path if membership.unit_id else ""
        return cls(
            membership_id=membership.pk,
            user_id=membership.user_id,
            agency_id=membership.agency_id,
            unit_id=membership.unit_id,
            unit_path=unit_path,
            active=bool(membership.is_active),
            activated=bool(activated),
        )


class JoinSource:
    SIGNUP = "signup"  # signed up by invitation or agency domain: gets standing assignments
    PLACED = "placed"  # placed directly by a seeder, test or operator script
    BULK = "bulk"  # inserted in bulk (demo data, imports)


@dataclass(frozen=True)
class MembersJoined(Event):
    members: tuple[Member, ...]
    source: str


@dataclass(frozen=True)
class MemberMoved(Event):
    member: Member
    old_unit_id: int | None
    old_unit_path: str


@dataclass(frozen=True)
class MemberActiveChanged(Event):
    """A member was deactivated or reactivated (`member.active` is the new value)."""

    member: Member


@dataclass(frozen=True)
class MemberActivated(Event):
    """A member signed in for the first time (`member.activated` is now True)."""

    member: Member


@dataclass(frozen=True)
class UnitMoved(Event):
    """A unit moved under another parent: its subtree's paths went from old to new."""

    agency_id: int
    unit_id: int
    old_path: str
    new_path: str
