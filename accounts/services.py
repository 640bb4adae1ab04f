"""Changes of state that belong to a person's account."""

from django.db import transaction
from django.utils import timezone

from academy.events import publish
from agencies.events import Member, MemberActivated
from agencies.models import Membership

from .models import User


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
