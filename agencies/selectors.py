"""Reads about agencies, units, members and the audit log, always scoped to the acting user."""

from django.db.models import Count, Q

from .access import actor_for, agencies_visible_to, members_visible_to, units_visible_to
from .models import Agency, AuditEvent


def member_list(*, user, search="", unit=None):
    """Members the user manages, with user and unit loaded (a constant number of queries)."""
    members = members_visible_to(user).select_related("user", "unit")
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__full_name__icontains=search))
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


def audit_log(*, user, action_prefix=""):
    """Audit events of the user's agency (agency admins) or of all agencies (platform admins)."""
    actor = actor_for(user)
    if actor.is_platform_admin:
        events = AuditEvent.objects.all()
    elif actor.is_agency_admin:
        events = AuditEvent.objects.filter(agency_id=actor.agency_id)
    else:
        events = AuditEvent.objects.none()
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.select_related("agency").order_by("-created_at", "-id")


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
