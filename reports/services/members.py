"""Member counts (reports.MemberCount) kept in step with the memberships, in the same transaction.

The organisation layer publishes `agencies.events` (members joined, moved, deactivated or
reactivated, signed in for the first time); reports' subscribers (reports.subscribers) turn each
into `MemberState` pairs before and after the change (None for "no membership") and pass them
to `members_changed`. Deltas go through the same race-safe `apply_deltas` as the enrollment
cells. `member_contributions` is shared with the nightly recompute.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from agencies.models import Membership

from ..models import MemberCount
from .aggregates import apply_deltas


@dataclass(frozen=True)
class MemberState:
    """What one membership contributes to the member counts."""

    agency_id: int
    unit_id: int | None
    active: bool
    activated: bool

    @classmethod
    def of(cls, member) -> "MemberState":
        """The counted state of an `agencies.events.Member`."""
        return cls(
            agency_id=member.agency_id,
            unit_id=member.unit_id,
            active=member.active,
            activated=member.activated,
        )

    @property
    def key(self) -> tuple:
        return (MemberCount, self.agency_id, self.unit_id, self.active, self.activated)


def members_changed(changes: Iterable[tuple[MemberState | None, MemberState | None]]) -> None:
    """Apply many (before, after) changes at once; call inside the changing transaction."""
    total: Counter = Counter()
    for before, after in changes:
        if before == after:
            continue
        if before is not None:
            total[before.key] -= 1
        if after is not None:
            total[after.key] += 1
    member_counts_add(total)


def member_changed(*, before: MemberState | None, after: MemberState | None) -> None:
    members_changed([(before, after)])


def member_counts_add(counts: dict[tuple, int]) -> None:
    """Add grouped deltas {(MemberCount, agency, unit, active, activated): n}: one UPDATE (or
    INSERT) per key, for bulk writers that insert many memberships at once."""
    deltas = {key: {"n": n} for key, n in counts.items() if n}
    if deltas:
        apply_deltas(deltas)


def expected_member_cells(agency_id: int) -> dict:
    """The MemberCount cells of one agency as the memberships and users say (one query)."""
    rows = (
        Membership.objects.filter(agency_id=agency_id)
        .values("agency_id", "unit_id", "is_active")
        .annotate(n=Count("id"), activated=Count("id", filter=Q(user__activated_at__isnull=False)))
        .order_by()
    )
    cells: dict = {}
    for row in rows:
        for activated, n in ((True, row["activated"]), (False, row["n"] - row["activated"])):
            if n:
                cells[
                    (MemberCount, row["agency_id"], row["unit_id"], row["is_active"], activated)
                ] = {"n": n}
    return cells
