"""The one place that decides what an acting user may see.

Every selector and view that serves agency data starts from `scope_q` (a filter per role) or an
`access_*` helper (a lookup inside that scope that answers 404 whether the object is missing or
forbidden, so ids leak nothing).
"""

import zoneinfo
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Agency, Membership, Role, Unit


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


ANONYMOUS = Actor(None, False, None, None, None, None)


def agency_today(user):
    """Today's date in the time zone of the user's agency (due dates are agency-local)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(actor_for(user).agency_time_zone))


def actor_for(user) -> Actor:
    """The Actor for a user, cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_academy_actor", None)
    if cached is not None:
        return cached
    membership = (
        Membership.objects.filter(user_id=user.pk, is_active=True, agency__is_active=True)
        .select_related("unit", "agency")
        .first()
    )
    actor = Actor(
        user_id=user.pk,
        is_platform_admin=bool(user.is_platform_admin and user.is_active),
        agency_id=membership.agency_id if membership else None,
        role=membership.role if membership else None,
        unit_id=membership.unit_id if membership else None,
        unit_path=membership.unit.path if membership and membership.unit_id else None,
        agency_mfa_required=bool(membership and membership.agency.mfa_required),
        agency_name=membership.agency.name if membership else "",
        agency_acronym=membership.agency.acronym if membership else "",
        agency_time_zone=membership.agency.time_zone if membership else "UTC",
    )
    user._academy_actor = actor
    return actor


def scope_q(
    user,
    *,
    agency_field="agency",
    unit_path_field="unit__path",
    user_field="user",
) -> Q:
    """A filter for rows about people, limited to what `user` may see.

    Platform admins see everything; agency admins their agency; managers their unit and the units
    below it; everyone else only rows about themselves. Field names let any model with an agency,
    a unit path and a user (directly or through joins) use the same rule.
    """
    actor = actor_for(user)
    if actor.is_platform_admin:
        return Q()
    if actor.agency_id is None:
        return Q(pk__in=[])
    if actor.is_agency_admin:
        return Q(**{f"{agency_field}_id": actor.agency_id})
    if actor.is_manager and actor.unit_path:
        return Q(**{f"{agency_field}_id": actor.agency_id, f"{unit_path_field}__startswith": actor.unit_path})
    return Q(**{f"{agency_field}_id": actor.agency_id, f"{user_field}_id": actor.user_id})


def agencies_visible_to(user):
    actor = actor_for(user)
    if actor.is_platform_admin:
        return Agency.objects.all()
    return Agency.objects.filter(pk=actor.agency_id) if actor.agency_id else Agency.objects.none()


def units_visible_to(user):
    """Units the user may see and manage: the agency's for admins, the subtree for managers."""
    actor = actor_for(user)
    if actor.is_platform_admin:
        return Unit.objects.all()
    if actor.is_agency_admin:
        return Unit.objects.filter(agency_id=actor.agency_id)
    if actor.is_manager and actor.unit_path:
        return Unit.objects.filter(agency_id=actor.agency_id, path__startswith=actor.unit_path)
    return Unit.objects.none()


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
            members_visible_to(user)
            .select_related("user", "unit", "agency")
            .get(pk=membership_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class ActorMixin:
    """For class-based views: `self.actor` is the acting user's Actor."""

    @cached_property
    def actor(self):
        return actor_for(self.request.user)
