"""Invitations: send, send again, revoke. Each one is audited, success or not.

An invitation is open while it is neither accepted nor revoked (one open invitation per address,
a database constraint); it can be used to sign up until it expires. Resending sends the email
again and starts a new validity period.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .access import actor_for
from .audit import audited, diff
from .domains import domain_is_approved_for
from .models import Invitation, Membership, Role

INVITATION_VALID_DAYS = 14


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def invitation_expiry(now=None) -> datetime.datetime:
    """When an invitation sent `now` stops working."""
    return (now or timezone.now()) + datetime.timedelta(days=INVITATION_VALID_DAYS)


def open_invitations_q() -> Q:
    """Invitations that are still waiting for an answer (expired ones included)."""
    return Q(accepted_at__isnull=True, revoked_at__isnull=True)


def usable_invitation_q(*, now=None) -> Q:
    """Invitations someone may sign up with now: open and not expired."""
    return open_invitations_q() & Q(expires_at__gt=now or timezone.now())


def invitation_usable_for(email: str) -> bool:
    """Whether `email` may sign up on the strength of an invitation."""
    return Invitation.objects.filter(usable_invitation_q(), email__iexact=email.strip()).exists()


def _send_invitation_email(invitation, *, language):
    signup_url = settings.SITE_URL.rstrip("/") + reverse("account_signup")
    with translation.override(language):
        context = {"invitation": invitation, "signup_url": signup_url}
        subject = _("You are invited to Academy by %(agency)s") % {"agency": invitation.agency.name}
        body = render_to_string("agencies/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _send_on_commit(invitation):
    language = invitation.agency.default_language
    transaction.on_commit(lambda: _send_invitation_email(invitation, language=language))


def _unit_name(unit):
    return unit.name if unit is not None else None


class _NeutralRefusal(ValidationError):
    """A refusal the inviter must not be told about (it would reveal something of another
    agency): audited with its reason, answered like a sent invitation."""


def invitation_create(
    *, actor, agency, email, role=Role.LEARNER, unit=None, ip=None
) -> Invitation | None:
    """Invite someone to join the agency with a role and unit; they sign up with this email.

    Agency admins and managers invite addresses on their agency's approved domains only; a
    platform admin may invite any address (`across_domains`, audited like every invitation).
    The answer does not depend on whether the address has an account anywhere: an invitation
    is sent either way (signing up with an address that has an account does nothing), and the
    only refusal about the person is "already a member of your agency". When another agency
    already has an open invitation for the address, nothing is sent and None is returned; the
    view answers as if sent (the audit row keeps the reason, for the agency's admins)."""
    email = email.strip().lower()
    try:
        return _invitation_create(
            actor=actor, agency=agency, email=email, role=role, unit=unit, ip=ip
        )
    except _NeutralRefusal:
        return None


def _invitation_create(*, actor, agency, email, role, unit, ip) -> Invitation:
    with audited(
        actor=actor,
        agency=agency,
        action="member.invite",
        target=email,
        ip=ip,
        detail={"role": role, "unit": unit.pk if unit else None},
        changes=diff({}, {"email": email, "role": role, "unit": _unit_name(unit)}),
    ):
        who = actor_for(actor)
        is_admin = who.administers_agency(agency.pk)
        _require(is_admin or who.is_manager, _("You cannot invite people."))
        _require(role in Role.values, _("Choose a valid role."))
        if not is_admin:
            _require(role == Role.LEARNER, _("Managers can only invite learners."))
            _require(
                unit is not None and who.manages_unit(unit),
                _("Choose a unit that you manage."),
            )
        _require(unit is None or unit.agency_id == agency.pk, _("Choose a unit of this agency."))
        across_domains = not domain_is_approved_for(agency, email)
        _require(
            not across_domains or who.is_platform_admin,
            _(
                "You can invite only addresses on your agency's approved email domains. "
                "To invite someone with another address, ask a platform admin."
            ),
        )
        _require(
            not Membership.objects.filter(agency=agency, user__email__iexact=email).exists(),
            _("This person is already a member of your agency."),
        )
        pending = Invitation.objects.filter(open_invitations_q(), email__iexact=email)
        _require(
            not pending.filter(agency=agency).exists(),
            _(
                "This person has already been invited. Send the invitation again, or revoke "
                "it, from the pending invitations on the People page."
            ),
        )
        if pending.exists():
            raise _NeutralRefusal(_("Another agency has an open invitation for this address."))
        invitation = Invitation.objects.create(
            agency=agency,
            email=email,
            role=role,
            unit=unit,
            invited_by=actor,
            expires_at=invitation_expiry(),
            across_domains=across_domains,
        )
        _send_on_commit(invitation)
    return invitation


def _require_may_handle(who, invitation):
    """Admins handle their agency's invitations; managers those into their subtree."""
    unit_path = invitation.unit.path if invitation.unit_id else None
    _require(
        who.sees_unit_path(invitation.agency_id, unit_path),
        _("You cannot change this invitation."),
    )


def _locked_open(invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("agency", "unit")
        .get(pk=invitation.pk)
    )
    _require(
        locked.accepted_at is None and locked.revoked_at is None,
        _("This invitation is no longer pending."),
    )
    return locked


def invitation_resend(*, actor, invitation, ip=None) -> Invitation:
    """Send a pending invitation's email again; its link works for a new validity period."""
    with audited(
        actor=actor,
        agency=invitation.agency,
        action="member.invite_resend",
        target=invitation.email,
        ip=ip,
    ) as entry:
        _require_may_handle(actor_for(actor), invitation)
        locked = _locked_open(invitation)
        before = {"expires_at": locked.expires_at}
        locked.expires_at = invitation_expiry()
        locked.save(update_fields=["expires_at"])
        entry.changes = diff(before, {"expires_at": locked.expires_at})
        _send_on_commit(locked)
    invitation.expires_at = locked.expires_at
    return invitation


def invitation_revoke(*, actor, invitation, ip=None) -> Invitation:
    """Withdraw a pending invitation: its link stops working and the address may be invited
    again. The row stays, for the record."""
    with audited(
        actor=actor,
        agency=invitation.agency,
        action="member.invite_revoke",
        target=invitation.email,
        ip=ip,
        changes={"status": ["pending", "revoked"]},
    ):
        _require_may_handle(actor_for(actor), invitation)
        locked = _locked_open(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    invitation.revoked_at = locked.revoked_at
    return invitation
