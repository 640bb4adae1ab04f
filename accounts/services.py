"""Changes of state that belong to a person's account.

This app is the one writer of `User` and of allauth's `EmailAddress` outside sign-up (allauth's
own flows): other apps (provisioning, say) create and change people through these services.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.events import publish
from agencies.events import Member, MemberActivated
from agencies.models import Membership

from .models import User
from .session_user import user_cache_forget


def user_first_sign_in(*, user: User) -> bool:
    """Record the first sign-in of `user` (`activated_at`), once; returns True if this was it.

    Publishes `agencies.events.MemberActivated` in the same transaction, so the member counts
    move from "not activated" to "activated". Later sign-ins cost no query. Lock order, shared
    with the membership services: the user row first, then the membership row.
    """
    if user.activated_at is not None:
        return False
    now = timezone.now()
    with transaction.atomic():
        first = User.objects.filter(pk=user.pk, activated_at__isnull=True).update(activated_at=now)
        if not first:
            user.refresh_from_db(fields=["activated_at"])
            return False
        user_cache_forget([user.pk])  # update() sends no post_save
        user.activated_at = now
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(user_id=user.pk)
            .first()
        )
        if membership is not None:
            publish(MemberActivated(member=Member.of(membership, activated=True)))
    return True


class UserEmailTaken(ValidationError):
    """The email address belongs to another person (compared ignoring case)."""

    def __init__(self):
        super().__init__(_("Another person already has this email address."), code="unique")


def user_provision(*, email: str, full_name: str = "") -> tuple[User, bool]:
    """The person whose email is `email` (ignoring case), or a new one created for it.

    Returns `(user, created)`. A new user has no usable password (they sign in through their
    agency's identity provider or reset it) and a verified primary `EmailAddress`, so allauth
    never asks them to confirm an address their agency vouches for; `full_name` is kept to 200
    characters. An existing user is returned locked (`select_for_update`) and unchanged: call
    this inside your own transaction to keep that lock. Raises `UserEmailTaken` when another
    request created the same address at the same moment.
    """
    email = email.strip().lower()
    # No savepoint of its own, so inside the caller's transaction it costs no extra statement;
    # for that reason the refusal is raised only once the block is left, which keeps the
    # caller's transaction usable.
    with transaction.atomic(savepoint=False):
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None:
            return user, False
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=None, full_name=full_name[:200]
                )
        except IntegrityError:
            user = None
        else:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if user is None:
        raise UserEmailTaken()
    return user, True


def user_identity_update(
    *, user: User, email: str | None = None, full_name: str | None = None
) -> list[str]:
    """Change a person's email address and/or full name; None leaves a value as it is.

    A new email (stored lower-case) must not belong to anyone else (`UserEmailTaken`); the
    matching allauth `EmailAddress` row follows it, so sign-in and password reset use the new
    address. `full_name` is kept to 200 characters. Returns the names of the fields that
    changed (empty: nothing was written).
    """
    changed = []
    if email is not None:
        email = email.strip().lower()
        if email == user.email:
            email = None
        elif User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            # Checked before the block below, which has no savepoint of its own: a refusal
            # leaves the caller's transaction usable.
            raise UserEmailTaken()
    with transaction.atomic(savepoint=False):
        if email is not None:
            EmailAddress.objects.filter(user=user, email__iexact=user.email).update(email=email)
            user.email = email
            changed.append("email")
        if full_name is not None and full_name[:200] != user.full_name:
            user.full_name = full_name[:200]
            changed.append("full_name")
        if changed:
            user.updated_at = timezone.now()
            user.save(update_fields=[*changed, "updated_at"])
    return changed
