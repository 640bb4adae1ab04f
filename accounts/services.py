"""Changes of state that belong to a person's account."""

from django.db import transaction
from django.utils import timezone

from .models import User


def user_first_sign_in(*, user: User) -> bool:
    """Record the first sign-in of `user` (`activated_at`), once; returns True if this was it.

    The member counts (reports.MemberCount) move from "not activated" to "activated" in the
    same transaction. Later sign-ins cost no query. Lock order, shared with the membership
    services: the user row first, then the membership row.
    """
    if user.activated_at is not None:
        return False
    from agencies.models import Membership
    from reports.services.members import MemberState, member_changed

    now = timezone.now()
    with transaction.atomic():
        first = User.objects.filter(pk=user.pk, activated_at__isnull=True).update(
            activated_at=now)
        if not first:
            user.refresh_from_db(fields=["activated_at"])
            return False
        user.activated_at = now
        membership = Membership.objects.select_for_update().filter(user_id=user.pk).first()
        if membership is not None:
            member_changed(before=MemberState.of(membership, activated=False),
                           after=MemberState.of(membership, activated=True))
    return True
