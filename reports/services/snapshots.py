"""DailySnapshot rows: the state of each unit at the end of each day, written by the nightly task.

Computed from the enrollments, memberships and learning events as they stood at the end of the
day (UTC), so a missed day can be back-filled later (`manage.py snapshots_backfill`). Writing a
day twice changes nothing: rows are compared and only differences are written. "Activated"
counts people whose first sign-in (`User.activated_at`) came before the end of the day.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import Agency, Membership

from ..models import DailySnapshot

ACTIVE_WINDOW = datetime.timedelta(days=7)


def _bounds(day: datetime.date):
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return start, start + datetime.timedelta(days=1)


def snapshot_figures(*, agency_id: int, day: datetime.date) -> dict:
    """{unit id or None: {figure: value}} for one agency at the end of `day`."""
    from learning.models import Enrollment, LearningEvent

    start, end = _bounds(day)
    done_by_end = Q(completed_at__lt=end)
    figures: dict = defaultdict(lambda: dict.fromkeys(DailySnapshot.FIGURES, 0))
    enrollments = (
        Enrollment.objects.filter(agency_id=agency_id, created_at__lt=end).values("unit_id")
        .annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=done_by_end),
            in_progress=Count("id", filter=Q(started_at__lt=end) & ~done_by_end),
            overdue=Count("id", filter=Q(due_on__lt=day) & ~done_by_end),
            completions=Count("id", filter=Q(completed_at__gte=start, completed_at__lt=end)),
            learners_started=Count("user_id", distinct=True, filter=Q(started_at__lt=end)),
            learners_completed=Count("user_id", distinct=True, filter=done_by_end),
        ).order_by())
    for row in enrollments:
        figures[row.pop("unit_id")].update(row)
    members = (Membership.objects.filter(agency_id=agency_id, is_active=True, joined_at__lt=end)
               .values("unit_id")
               .annotate(members=Count("id"),
                         activated=Count("id", filter=Q(user__activated_at__lt=end)))
               .order_by())
    for row in members:
        figures[row.pop("unit_id")].update(row)
    active = (LearningEvent.objects.filter(agency_id=agency_id, created_at__gte=end - ACTIVE_WINDOW,
                                           created_at__lt=end)
              .values("user__membership__unit_id")
              .annotate(n=Count("user_id", distinct=True)).order_by())
    for row in active:
        figures[row["user__membership__unit_id"]]["active_learners"] = row["n"]
    return figures


def snapshot_write_agency(*, agency_id: int, day: datetime.date) -> int:
    """Write one agency's rows for `day`; returns how many rows were created, changed or
    deleted (0 when the day was already written with the same figures)."""
    wanted = {unit: values for unit, values in snapshot_figures(agency_id=agency_id, day=day)
              .items() if any(values.values())}
    changed = 0
    with transaction.atomic():
        existing = {s.unit_id: s for s in DailySnapshot.objects.select_for_update()
                    .filter(agency_id=agency_id, day=day)}
        for unit_id, values in wanted.items():
            row = existing.pop(unit_id, None)
            if row is None:
                DailySnapshot.objects.create(agency_id=agency_id, unit_id=unit_id, day=day,
                                             **values)
                changed += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                DailySnapshot.objects.filter(pk=row.pk).update(**values)
                changed += 1
        if existing:
            DailySnapshot.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
            changed += len(existing)
    return changed


def snapshots_write(*, day: datetime.date) -> int:
    """Write every agency's snapshot rows for `day` (idempotent)."""
    return sum(snapshot_write_agency(agency_id=pk, day=day)
               for pk in Agency.objects.order_by("pk").values_list("pk", flat=True))


def snapshots_backfill(*, start: datetime.date, end: datetime.date | None = None) -> int:
    """Write (or rewrite) every day from start to end (default: yesterday)."""
    end = end or timezone.localdate() - datetime.timedelta(days=1)
    changed, day = 0, start
    while day <= end:
        changed += snapshots_write(day=day)
        day += datetime.timedelta(days=1)
    return changed
