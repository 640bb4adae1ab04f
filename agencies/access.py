"""The one place that decides what an acting user may see.

Every selector and view that serves agency data starts from `scope_q` / `Actor.rows_q` (a filter
per role) or an `access_*` helper (a lookup inside that scope that answers 404 whether the object
is missing or forbidden, so ids leak nothing). Services ask the same `Actor` predicates
(`administers_agency`, `sees_unit_path`, `manages_unit`, `sees_member`) and refuse with
`ValidationError` or `PermissionDenied`, never an HTTP exception.
"""

import contextlib
import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from .dates import agency_date
from .models import Agency, Invitation, Membership, Role, Unit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """What the acting user is: their membership (if any) and platform-wide powers."""

    user_id: int | None
    is_platform_admin: bool
    agency_id: int | None
    role: str | None
    unit_id: int | None
    unit_path: str | None
    agency_mfa_required: bool = False
    agency_name: str = ""
    agency_acronym: str = ""
    agency_time_zone: str = "UTC"

    @property
    def is_agency_admin(self):
        return self.role == Role.AGENCY_ADMIN

    @property
    def is_manager(self):
        return self.role == Role.MANAGER

    @property
    def is_trainer(self):
        return self.role in (Role.TRAINER, Role.AGENCY_ADMIN)

    @property
    def manages_people(self):
        return self.is_platform_admin or self.role in (Role.MANAGER, Role.AGENCY_ADMIN)

    # The role ladder, the one policy every app asks: a platform admin administers and sees
    # everything; an agency admin their own agency; a manager sees the subtree of their unit in
    # their agency; anyone else sees rows about themselves only.

    def administers_agency(self, agency_id) -> bool:
        """May change this agency's settings, roles and people: a platform admin, or an agency
        admin of this very agency (never of another)."""
        return self.is_platform_admin or (
            self.is_agency_admin and agency_id is not None and self.agency_id == agency_id
        )

    def sees_unit_path(self, agency_id, path: str | None) -> bool:
        """Sees (and manages) the unit with `path` in agency `agency_id`: the agency's
        administrators, and the managers of that unit or of a unit above it."""
        if self.administers_agency(agency_id):
            return True
        return (
            self.is_manager
            and agency_id is not None
            and self.agency_id == agency_id
            and bool(self.unit_path)
            and path is not None
            and path.startswith(self.unit_path)
        )

    def manages_unit(self, unit) -> bool:
        """`sees_unit_path` for a Unit instance."""
        return self.sees_unit_path(unit.agency_id, unit.path)

    def sees_member(self, *, agency_id, unit_path: str | None, user_id) -> bool:
        """Sees rows about the person `user_id`, a member of `agency_id` placed at `unit_path`
        (None: no unit): those who see that unit, and the person themself. The same rule as
        `rows_q` with a `user_field`."""
        if self.sees_unit_path(agency_id, unit_path):
            return True
        return (
            self.user_id is not None
            and self.user_id == user_id
            and agency_id is not None
            and self.agency_id == agency_id
        )

    def rows_q(
        self,
        *,
        agency_field="agency",
        unit_path_field: str | None = "unit__path",
        user_field: str | None = None,
    ) -> Q:
        """The filter for rows placed by agency and unit path inside what this actor sees.

        Platform admins: everything; agency admins: their agency's rows; managers: rows of
        their agency whose `unit_path_field` lies in their unit's subtree (rows with no unit
        path are the admins' alone; None: managers see none of these rows). Anyone else (a
        manager without a unit too) sees, with `user_field`, the rows about themselves in their
        agency, and without it nothing.
        """
        if self.is_platform_admin:
            return Q()
        if self.agency_id is None:
            return Q(pk__in=[])
        in_agency = Q(**{f"{agency_field}_id": self.agency_id})
        if self.is_agency_admin:
            return in_agency
        if self.is_manager and self.unit_path and unit_path_field:
            return in_agency & Q(**{f"{unit_path_field}__startswith": self.unit_path})
        if user_field:
            return in_agency & Q(**{f"{user_field}_id": self.user_id})
        return Q(pk__in=[])


ANONYMOUS = Actor(None, False, None, None, None, None)


def agency_today(user):
    """Today's date in the user's agency (due dates are agency-local); see agencies.dates."""
    return agency_date(actor_for(user).agency_time_zone)


def actor_for(user) -> Actor:
    """The Actor for a user, cached on the user object for the length of a request, and across
    requests in the shared cache (see `actor_cache_forget`)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_academy_actor", None)
    if cached is not None:
        return cached
    placement = _cached_placement(user.pk)
    if placement is None:
        placement = _placement_from_database(user.pk)
    return _remember_actor(user, placement)


def _remember_actor(user, placement: dict) -> Actor:
    actor = Actor(
        user_id=user.pk,
        is_platform_admin=bool(user.is_platform_admin and user.is_active),
        **placement,
    )
    user._academy_actor = actor
    return actor


def actor_cache_keys(user_id) -> list[str]:
    """The shared-cache keys `actor_for` reads for this user. A caller that reads the cache
    for the same user anyway (accounts' authentication middleware) fetches them in its own round
    trip and hands what it found to `actor_prime`."""
    return [_GENERATION_KEY, _actor_key(user_id)]


def actor_prime(user, found: dict) -> None:
    """Make `actor_for(user)` answer from `found` (a `cache.get_many` of `actor_cache_keys`)
    when it holds a current entry; otherwise leave `actor_for` to read as usual."""
    placement = _placement_if_current(found, user.pk)
    if placement is not None:
        _remember_actor(user, placement)


# Every request needs the acting user's membership (the MFA rule, the header's menus, scoping).
# It is kept in the shared cache under a generation: the services that change a membership
# forget that person's entry; those that change an agency or move a unit start a new generation,
# which retires every entry at once. The timeout bounds what a missed change could cost.
ACTOR_CACHE_SECONDS = 300
_GENERATION_KEY = "academy:actor:generation"


def _actor_key(user_id) -> str:
    return f"academy:actor:{user_id}"


def _cached_placement(user_id) -> dict | None:
    try:
        found = cache.get_many([_GENERATION_KEY, _actor_key(user_id)])
    except Exception:  # noqa: BLE001 - an unreachable cache (Redis restarting): ask the database
        logger.warning("Cache unreachable; reading the placement of user %s", user_id)
        return None
    return _placement_if_current(found, user_id)


def _placement_if_current(found: dict, user_id) -> dict | None:
    generation, entry = found.get(_GENERATION_KEY), found.get(_actor_key(user_id))
    if generation is None or entry is None or entry[0] != generation:
        return None
    return entry[1]


def _current_generation() -> str | None:
    try:
        generation = cache.get(_GENERATION_KEY)
        if generation is None:
            cache.add(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(_GENERATION_KEY)
    except Exception:  # noqa: BLE001 - nothing is cached while the cache is unreachable
        return None
    return generation


def _placement_from_database(user_id) -> dict:
    # The generation is read before the membership, so a change committed in between leaves
    # an entry under a generation that is already retired.
    generation = _current_generation()
    membership = (
        Membership.objects.filter(user_id=user_id, is_active=True, agency__is_active=True)
        .select_related("unit", "agency")
        .first()
    )
    placement = dict(agency_id=None, role=None, unit_id=None, unit_path=None)
    if membership is not None:
        placement = dict(
            agency_id=membership.agency_id,
            role=membership.role,
            unit_id=membership.unit_id,
            unit_path=membership.unit.path if membership.unit_id else None,
            agency_mfa_required=bool(membership.agency.mfa_required),
            agency_name=membership.agency.name,
            agency_acronym=membership.agency.acronym,
            agency_time_zone=membership.agency.time_zone,
        )
    if generation is not None:
        with contextlib.suppress(Exception):
            cache.set(_actor_key(user_id), (generation, placement), ACTOR_CACHE_SECONDS)
    return placement


def actor_cache_forget(user_ids) -> None:
    """A membership of these people changed: their next request reads it again. Called by the
    services that write memberships, now and once the transaction commits (a request that read
    the old row in between would otherwise cache it again)."""
    keys = [_actor_key(user_id) for user_id in user_ids]
    _cache_quietly(cache.delete_many, keys)
    transaction.on_commit(lambda: _cache_quietly(cache.delete_many, keys))


def actor_cache_expire_all() -> None:
    """An agency's settings changed or units moved: every cached placement is retired."""
    _cache_quietly(cache.set, _GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(
        lambda: _cache_quietly(cache.set, _GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    )


def _cache_quietly(operation, *args, **kwargs) -> None:
    """A change is not refused because the cache is unreachable: a cache that restarts comes
    back empty, and entries of one that was only cut off expire after ACTOR_CACHE_SECONDS."""
    try:
        operation(*args, **kwargs)
    except Exception:  # noqa: BLE001
        logger.exception("Cache unreachable; cached placements expire on their own")


def scope_q(
    user,
    *,
    agency_field="agency",
    unit_path_field="unit__path",
    user_field="user",
) -> Q:
    """A filter for rows about people, limited to what `user` may see (`Actor.rows_q`).

    Platform admins see everything; agency admins their agency; managers their unit and the units
    below it; everyone else only rows about themselves. Field names let any model with an agency,
    a unit path and a user (directly or through joins) use the same rule.
    """
    return actor_for(user).rows_q(
        agency_field=agency_field, unit_path_field=unit_path_field, user_field=user_field
    )


def agencies_visible_to(user):
    actor = actor_for(user)
    if actor.is_platform_admin:
        return Agency.objects.all()
    return Agency.objects.filter(pk=actor.agency_id) if actor.agency_id else Agency.objects.none()


def units_visible_to(user):
    """Units the user may see and manage: the agency's for admins, the subtree for managers."""
    return Unit.objects.filter(actor_for(user).rows_q(unit_path_field="path"))


def members_visible_to(user):
    return Membership.objects.filter(
        scope_q(user, agency_field="agency", unit_path_field="unit__path", user_field="user")
    )


def access_agency(user, agency_id) -> Agency:
    try:
        return agencies_visible_to(user).get(pk=agency_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_unit(user, unit_id) -> Unit:
    try:
        return units_visible_to(user).select_related("agency").get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_membership(user, membership_id) -> Membership:
    """A membership the user manages; their own membership is not theirs to manage."""
    actor = actor_for(user)
    if not actor.manages_people:
        raise Http404
    try:
        return (
            members_visible_to(user).select_related("user", "unit", "agency").get(pk=membership_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_invitation(user, invitation_id) -> Invitation:
    """An open invitation the user handles (admins: their agency's; managers: into their
    subtree); 404 otherwise, and for accepted or revoked ones."""
    if not actor_for(user).manages_people:
        raise Http404
    try:
        return (
            Invitation.objects.filter(
                actor_for(user).rows_q(unit_path_field="unit__path"),
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
            .select_related("agency", "unit", "invited_by")
            .get(pk=invitation_id)
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
