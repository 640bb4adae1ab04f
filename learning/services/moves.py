"""Keeping enrollments with the person when they move to another unit."""

from django.db import transaction

from reports.services.aggregates import enrollments_changed, states_for

from ..models import Enrollment


def enrollments_move_unit(*, user, unit) -> int:
    """Move all of `user`'s enrollments to `unit` (None: no unit), with the dashboard
    aggregates, in one transaction; returns how many moved. The membership services call it
    when someone changes unit, so unit figures follow people. Idempotent."""
    unit_id = unit.pk if unit is not None else None
    with transaction.atomic():
        # Lock first (certificates are a nullable join, which FOR UPDATE refuses), then read
        # the states the aggregates hold for these rows.
        mine = Enrollment.objects.select_for_update().filter(user_id=user.pk)
        elsewhere = (mine.exclude(unit_id=unit_id) if unit_id is not None
                     else mine.filter(unit_id__isnull=False))
        ids = list(elsewhere.values_list("pk", flat=True))
        if not ids:
            return 0
        enrollments = Enrollment.objects.filter(pk__in=ids)
        before = states_for(enrollments)
        enrollments.update(unit_id=unit_id)
        after = states_for(enrollments)
        enrollments_changed((before[pk], after[pk]) for pk in ids)
    return len(ids)
