"""Changes to memberships: joining (created by an admin, on sign-up, by invitation or
provisioning), role and unit, active or not. Each one is audited, success or not, and
publishes the domain event the aggregates and downstream apps follow."""

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.events import publish
from accounts.models import User

from .access import actor_cache_forget, actor_for
from .audit import audit_record, audited, diff
from .domains import agency_for_email
from .events import JoinSource, Member, MemberActiveChanged, MemberMoved, MembersJoined
from .invitations import usable_invitation_q
from .models import AuditEvent, Invitation, Membership, Role


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def _manages_unit(who, unit):
    return who.manages_unit(unit)


def _membership_insert(*, user, agency, unit, role, source: str) -> Membership:
    """Insert a membership and publish MembersJoined, in a savepoint; IntegrityError when the
    user already has one. Locks the user row first, as every membership change does (see
    accounts.services.user_first_sign_in), so "activated" is read consistently."""
    with transaction.atomic():
        activated_at = (
            User.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("activated_at", flat=True)
            .first()
        )
        membership = Membership.objects.create(user=user, agency=agency, unit=unit, role=role)
        actor_cache_forget([user.pk])
        publish(
            MembersJoined(
                members=(Member.of(membership, activated=activated_at is not None),), source=source
            )
        )
    return membership


def membership_create(*, user, agency, unit=None, role=Role.LEARNER) -> Membership:
    """Place an existing user in an agency directly, counted in the member figures: for
    seeders, tests and operator scripts (people who sign up go through
    `membership_join_on_signup`). A user who already has a membership keeps it unchanged."""
    _require(unit is None or unit.agency_id == agency.pk, _("Choose a unit of this agency."))
    try:
        return _membership_insert(
            user=user, agency=agency, unit=unit, role=role, source=JoinSource.PLACED
        )
    except IntegrityError:
        return Membership.objects.get(user=user)


def membership_join_on_signup(*, user, email: str | None = None) -> Membership | None:
    """Give a signed-up user their membership once they have verified `email` (their address
    by default): from a usable invitation for it, else by its approved domain. Called when
    allauth confirms the address (accounts.signals), never before, so whoever signs up first
    with an invited address cannot take the invitation. A user who already has a membership
    keeps it, and no invitation is used. An invitation never wins over the domain of another
    agency unless a platform admin made it (`across_domains`). Training apps hear of the new
    member (MembersJoined, source "signup": standing assignments follow)."""
    email = (email or user.email).strip()
    with transaction.atomic():
        existing = Membership.objects.filter(user_id=user.pk).first()
        if existing is not None:
            return existing
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(usable_invitation_q(), email__iexact=email)
            .select_related("agency", "unit")
            .first()
        )
        by_domain = agency_for_email(email)
        if (
            invitation is not None
            and by_domain is not None
            and by_domain.pk != invitation.agency_id
            and not invitation.across_domains
        ):
            invitation = None  # the address's own agency wins over another agency's invitation
        if invitation is not None:
            agency, role, unit = invitation.agency, invitation.role, invitation.unit
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
        else:
            agency, role, unit = by_domain, Role.LEARNER, None
        if agency is None:
            return None
        try:
            membership = _membership_insert(
                user=user, agency=agency, unit=unit, role=role, source=JoinSource.SIGNUP
            )
        except IntegrityError:
            return Membership.objects.get(user=user)
        audit_record(
            actor=user,
            agency=agency,
            action="member.join",
            target=user.email,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail={"role": role, "invited": invitation is not None},
            changes=diff({}, _placement(role, unit)),
        )
    return membership


def _membership_locked(membership, *, lock_user=False) -> Membership:
    """The membership as stored (with its user and unit), under a row lock on the membership
    (and first on the user, for changes that also write the user: the lock order of
    accounts.services)."""
    if lock_user:
        list(User.objects.select_for_update().filter(pk=membership.user_id).values_list("pk"))
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "unit")
        .get(pk=membership.pk)
    )


def _member_locked(membership, *, lock_user=False) -> Member:
    """The member as stored, under the locks of `_membership_locked`."""
    row = _membership_locked(membership, lock_user=lock_user)
    return Member.of(row, activated=row.user.activated_at is not None)


def _placement(role, unit) -> dict:
    """A membership's role and unit as the audit log records them."""
    return {"role": str(role), "unit": unit.name if unit is not None else None}


def membership_update(*, actor, membership, role, unit, ip=None) -> Membership:
    """Change someone's role and/or unit within what the actor manages."""
    with audited(
        actor=actor,
        agency=membership.agency,
        action="member.update",
        target=membership.user.email,
        ip=ip,
        detail={
            "role": role,
            "unit": unit.pk if unit else None,
            "old_role": membership.role,
            "old_unit": membership.unit_id,
        },
        # What was asked for (a refusal keeps it); replaced by what changed, read under lock.
        changes=diff(
            _placement(
                membership.role,
                membership.unit if Membership.unit.is_cached(membership) else None,
            ),
            _placement(role, unit),
        ),
    ) as entry:
        who = actor_for(actor)
        is_admin = who.administers_agency(membership.agency_id)
        _require(role in Role.values, _("Choose a valid role."))
        _require(
            unit is None or unit.agency_id == membership.agency_id,
            _("Choose a unit of this agency."),
        )
        _require(membership.user_id != who.user_id, _("You cannot change your own membership."))
        if not is_admin:
            _require(role == membership.role, _("Only agency admins can change roles."))
            _require(
                membership.role in (Role.LEARNER, Role.TRAINER),
                _("Only agency admins can move managers and agency admins."),
            )
            _require(
                membership.unit is not None
                and _manages_unit(who, membership.unit)
                and unit is not None
                and _manages_unit(who, unit),
                _("You can only move people between units that you manage."),
            )
        row = _membership_locked(membership)
        stored = Member.of(row, activated=row.user.activated_at is not None)
        entry.changes = diff(_placement(row.role, row.unit), _placement(role, unit))
        moved = stored.unit_id != (unit.pk if unit else None)
        membership.role, membership.unit = role, unit
        membership.updated_at = timezone.now()
        membership.save(update_fields=["role", "unit", "updated_at"])
        actor_cache_forget([membership.user_id])
        if moved:
            publish(
                MemberMoved(
                    member=replace(
                        stored,
                        unit_id=membership.unit_id,
                        unit_path=unit.path if unit is not None else "",
                    ),
                    old_unit_id=stored.unit_id,
                    old_unit_path=stored.unit_path,
                )
            )
    return membership


def membership_set_active(*, actor, membership, active, ip=None) -> Membership:
    """Deactivate (or reactivate) a member; a deactivated person cannot sign in."""
    action = "member.reactivate" if active else "member.deactivate"
    with audited(
        actor=actor,
        agency=membership.agency,
        action=action,
        target=membership.user.email,
        ip=ip,
        changes={"active": [not active, bool(active)]},
    ) as entry:
        who = actor_for(actor)
        _require(
            who.administers_agency(membership.agency_id),
            _("Only agency admins can deactivate people."),
        )
        _require(membership.user_id != who.user_id, _("You cannot deactivate yourself."))
        stored = _member_locked(membership, lock_user=True)
        entry.changes = diff({"active": stored.active}, {"active": bool(active)})
        membership.is_active = active
        membership.updated_at = timezone.now()
        membership.save(update_fields=["is_active", "updated_at"])
        actor_cache_forget([membership.user_id])
        membership.user.is_active = active
        membership.user.save(update_fields=["is_active"])
        if stored.active != bool(active):
            publish(MemberActiveChanged(member=replace(stored, active=bool(active))))
    return membership
