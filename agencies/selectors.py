"""Reads about agencies, units, members and the audit log, always scoped to the acting user."""

import datetime

from django.db.models import Count, Q

from .access import actor_for, agencies_visible_to, members_visible_to, units_visible_to
from .dates import agency_day_bounds
from .invitations import open_invitations_q
from .models import Agency, AuditEvent, Invitation, Membership, Role


def member_list(*, user, search="", unit=None):
    """Members the user manages, with user and unit loaded (a constant number of queries)."""
    members = members_visible_to(user).select_related("user", "unit")
    if search:
        members = members.filter(
            Q(user__email__icontains=search) | Q(user__full_name__icontains=search)
        )
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    return members.order_by("user__full_name", "user__email")


def unit_tree(*, user):
    """Units the user may manage, in tree order, each with its direct member count."""
    return (
        units_visible_to(user)
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("path")
    )


def audit_log(
    *,
    user,
    action_prefix="",
    action="",
    who="",
    target="",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    agency: Agency | None = None,
):
    """Audit events of the user's agency (agency admins) or of all agencies (platform admins,
    who may pick one with `agency`), newest first, filtered: `action` (a code, exact),
    `action_prefix`, `who` (part of the actor's email), `target` (part of the target),
    `date_from` / `date_to` (inclusive days in the agency's time zone; across agencies the
    site's)."""
    actor = actor_for(user)
    # No unit path and no user field: the administrators' rows alone.
    events = AuditEvent.objects.filter(actor.rows_q(unit_path_field=None))
    if agency is not None:
        events = events.filter(agency=agency)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    if action:
        events = events.filter(action=action)
    if who:
        events = events.filter(actor_email__icontains=who)
    if target:
        events = events.filter(target__icontains=target)
    time_zone = agency.time_zone if agency is not None else actor.agency_time_zone
    if not actor.agency_id and agency is None:
        time_zone = None  # across agencies: the site's zone
    if date_from is not None:
        events = events.filter(created_at__gte=agency_day_bounds(time_zone, date_from)[0])
    if date_to is not None:
        events = events.filter(created_at__lt=agency_day_bounds(time_zone, date_to)[1])
    return events.select_related("agency").order_by("-created_at", "-id")


def invitation_pending_list(*, user, search=""):
    """Open invitations (not accepted, not revoked; expired ones too, to resend) the user
    handles: admins their agency's, managers those into their unit's subtree; newest first,
    with unit, agency and inviter loaded."""
    rows = Invitation.objects.filter(
        open_invitations_q(), actor_for(user).rows_q(unit_path_field="unit__path")
    )
    if search:
        rows = rows.filter(email__icontains=search)
    return rows.select_related("unit", "agency", "invited_by").order_by("-created_at", "-id")


def agency_list(*, user):
    return (
        agencies_visible_to(user)
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .prefetch_related("domains")
        .order_by("name")
    )


def agency_for_actor(*, user) -> Agency | None:
    actor = actor_for(user)
    return Agency.objects.filter(pk=actor.agency_id).prefetch_related("domains").first()


def ancestor_paths(path: str) -> list[str]:
    """The paths of the unit at `path` and of every unit above it, nearest first:
    "/3/17/42/" gives ["/3/17/42/", "/3/17/", "/3/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


def _unit_ids(path: str) -> list[int]:
    """The ids of the unit at `path` and of the units above it, nearest first."""
    return [int(part) for part in reversed(path.strip("/").split("/")) if part]


def managers_up_the_tree(unit_paths) -> dict[int, list]:
    """{unit id: its managers (Users), oldest membership first} for every unit at or above
    the given unit paths, in one query. Only people who can act count: an active membership of
    an active user. Pass the result to `nearest_managers`."""
    unit_ids = {unit_id for path in unit_paths if path for unit_id in _unit_ids(path)}
    managers: dict[int, list] = {}
    if not unit_ids:
        return managers
    for membership in (
        Membership.objects.filter(
            unit_id__in=unit_ids, role=Role.MANAGER, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("unit_id", "id")
    ):
        managers.setdefault(membership.unit_id, []).append(membership.user)
    return managers


def nearest_managers(managers: dict[int, list], unit_path: str | None, *, other_than=None) -> list:
    """The managers (Users) of the nearest unit, the one at `unit_path` or the first above it,
    that has a manager other than the user with id `other_than` (a learner who is also a
    manager is not their own manager). `managers` comes from `managers_up_the_tree`."""
    for unit_id in _unit_ids(unit_path or ""):
        found = [user for user in managers.get(unit_id, ()) if user.pk != other_than]
        if found:
            return found
    return []
