"""The acknowledgement cells (`AcknowledgementCell`): who has acknowledged which version, per
unit and day, kept in step in the transaction of each change and recomputed nightly.

One rule, `contributions`, says what a set of people's latest acknowledgements add to the
cells; the live updates apply its difference before and after a change, and the nightly
recompute (`expected_cells`, registered in reports' `aggregate_sources`) sums it over an agency.
"""

from collections import Counter
from collections.abc import Iterable

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from agencies.models import Membership

from .models import Acknowledgement, AcknowledgementCell, PolicyVersion

CACHE_SECONDS = 3600


def _policy_key(agency_id: int) -> str:
    return f"policies:has-policy:{agency_id}"


def agency_has_policy(agency_id: int) -> bool:
    """Has the agency published a policy? From the shared cache, so that moving people in an
    agency without one costs no query (one per agency and hour; xapi does the same for its
    LRS). Publishing sets the entry (`policy_published`); a policy is never unpublished."""
    key = _policy_key(agency_id)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 (a cache that is down must not fail a membership change)
        found = None
    if found is None:
        found = PolicyVersion.objects.filter(agency_id=agency_id).exists()
        try:
            cache.add(key, found, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return found


def policy_published(agency_id: int) -> None:
    """Tell the shared cache the agency now has a policy (called by `policy_publish`)."""
    try:
        cache.set(_policy_key(agency_id), True, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 (the entry then expires within the hour; the nightly
        pass  # recompute repairs any cell a stale entry kept from moving)


def _latest_days(*, agency_id: int, user_ids: Iterable[int] | None = None) -> dict:
    """{(user_id, version_id): day of the latest acknowledgement} (one grouped query)."""
    acks = Acknowledgement.objects.filter(agency_id=agency_id)
    if user_ids is not None:
        acks = acks.filter(user_id__in=list(user_ids))
    rows = acks.values("user_id", "version_id").annotate(last=Max("acknowledged_at"))
    return {(r["user_id"], r["version_id"]): r["last"].date() for r in rows}


def contributions(*, agency_id: int, units: dict, days: dict) -> Counter:
    """The cells these people add: `units` {user_id: unit_id} of the active members counted,
    `days` {(user_id, version_id): day}. A person not in `units` adds nothing."""
    out: Counter = Counter()
    for (user_id, version_id), day in days.items():
        if user_id in units:
            out[(AcknowledgementCell, agency_id, units[user_id], version_id, day)] += 1
    return out


def expected_cells(agency_id: int) -> dict:
    """One agency's cells as its memberships and acknowledgements say (two queries)."""
    units = dict(
        Membership.objects.filter(agency_id=agency_id, is_active=True).values_list(
            "user_id", "unit_id"
        )
    )
    counted = contributions(
        agency_id=agency_id, units=units, days=_latest_days(agency_id=agency_id)
    )
    return {key: {"n": n} for key, n in counted.items()}


def cells_add(deltas: Counter) -> None:
    """Add each delta to its cell, creating the cell when missing (race-safe: a concurrent
    insert of the same cell turns into an update). Call inside the changing transaction."""
    for (_model, agency_id, unit_id, version_id, day), delta in sorted(
        deltas.items(), key=lambda item: tuple(str(part) for part in item[0][1:])
    ):
        if not delta:
            continue
        key = {"agency_id": agency_id, "unit_id": unit_id, "version_id": version_id, "day": day}
        if AcknowledgementCell.objects.filter(**key).update(n=F("n") + delta):
            continue
        try:
            with transaction.atomic():
                AcknowledgementCell.objects.create(**key, n=delta)
        except IntegrityError:
            AcknowledgementCell.objects.filter(**key).update(n=F("n") + delta)


def _difference(before: Counter, after: Counter) -> Counter:
    out = Counter(after)
    out.subtract(before)
    return out


def person_acknowledged(*, user_id: int, agency_id: int, version_id: int, before_day, day):
    """A person's latest acknowledgement of a version moved from `before_day` (None: first)
    to `day`: move them to the new day's cell, in their current unit if they are active."""
    rows = list(
        Membership.objects.filter(user_id=user_id, agency_id=agency_id, is_active=True).values_list(
            "unit_id", flat=True
        )[:1]
    )
    if not rows:
        return
    units = {user_id: rows[0]}
    before = {} if before_day is None else {(user_id, version_id): before_day}
    cells_add(
        _difference(
            contributions(agency_id=agency_id, units=units, days=before),
            contributions(agency_id=agency_id, units=units, days={(user_id, version_id): day}),
        )
    )


def person_changed(*, user_id: int, agency_id: int, before: dict, after: dict) -> None:
    """A member moved unit or became (in)active: `before`/`after` are {user_id: unit_id} of
    them as counted (empty when inactive). Moves all their cells (one query for their days;
    none in an agency without a policy)."""
    if not agency_has_policy(agency_id):
        return
    days = _latest_days(agency_id=agency_id, user_ids=[user_id])
    if not days:
        return
    cells_add(
        _difference(
            contributions(agency_id=agency_id, units=before, days=days),
            contributions(agency_id=agency_id, units=after, days=days),
        )
    )
