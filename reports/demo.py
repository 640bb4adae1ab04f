"""Demo history for `seed_demo`: completions spread over past weeks, aggregates, snapshots.

The learning seeder completes courses "now"; this moves each demo completion (and its events)
to a day in the last 12 weeks, deterministically, then rebuilds the aggregate rows from the
enrollments (the nightly recompute) and back-fills 12 weeks of DailySnapshot rows. Idempotent:
a second run finds the history in place and only refreshes aggregates and snapshots.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from learning.models import Enrollment, LearningEvent

from .services.recompute import aggregates_recompute
from .services.snapshots import snapshots_backfill

WEEKS = 12


def seed_report_history() -> dict:
    now = timezone.now()
    horizon = now - datetime.timedelta(weeks=WEEKS)
    moved = 0
    with transaction.atomic():
        recent = (
            Enrollment.objects.filter(
                completed_at__gte=horizon + datetime.timedelta(days=1),
                created_at__gte=now - datetime.timedelta(days=1),
            )
            .exclude(user__email__startswith="bulk")
            .select_for_update()
        )
        for enrollment in recent:
            rng = random.Random(f"history:{enrollment.pk}")
            shift = datetime.timedelta(days=rng.randint(1, WEEKS * 7 - 2), hours=rng.randint(0, 8))
            took = datetime.timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 13]))
            completed = enrollment.completed_at - shift
            started = completed - took
            Enrollment.objects.filter(pk=enrollment.pk).update(
                completed_at=completed,
                started_at=started,
                created_at=started - datetime.timedelta(days=rng.randint(0, 6)),
            )
            LearningEvent.objects.filter(
                user_id=enrollment.user_id, course_id=enrollment.course_id
            ).update(created_at=completed)
            moved += 1
    drift = aggregates_recompute(repair=True)
    today = timezone.localdate()
    written = snapshots_backfill(
        start=today - datetime.timedelta(weeks=WEEKS), end=today - datetime.timedelta(days=1)
    )
    return {"moved": moved, "repaired_agencies": len(drift), "snapshot_rows": written}
