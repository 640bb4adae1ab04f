"""Keeping enrollments with the person when they move to another unit."""

from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from ..events import publish_states_changed, states_for
from ..models import Enrollment


def enrollments_move_unit(*, user_id: int, unit_id: int | None) -> int:
    """Move all of the user's enrollments to `unit_id` (None: no unit) in one transaction,
    publishing the change; returns how many moved. Called when someone changes unit (the
    `agencies.events.MemberMoved` subscriber), so unit figures follow people. Idempotent."""
    with transaction.atomic():
        # Lock the ids first, then read the states: states_for joins the certificate, a
        # nullable join that FOR UPDATE refuses.
        mine = Enrollment.objects.filter(user_id=user_id)
        elsewhere = (
            mine.exclude(unit_id=unit_id)
            if unit_id is not None
            else mine.filter(unit_id__isnull=False)
        )
        ids = list(elsewhere.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        enrollments = Enrollment.objects.filter(pk__in=ids)
        before = states_for(enrollments)
        enrollments.update(unit_id=unit_id, updated_at=timezone.now())
        publish_states_changed(
            before, {pk: replace(state, unit_id=unit_id) for pk, state in before.items()}
        )
    return len(ids)
