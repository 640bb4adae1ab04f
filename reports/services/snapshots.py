"""DailySnapshot rows: the state of each unit at the end of each day, written by the nightly task.

Computed from the enrollments, memberships and learning events as they stood at the end of the
agency's own day (midnight in its time zone, agencies.dates), so a missed day can be back-filled
later (`manage.py snapshots_backfill`). Writing a day twice changes nothing: rows are compared
and only differences are written. "Activated" counts people whose first sign-in
(`User.activated_at`) came before the end of the day.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q

from agencies.dates import agency_date, agency_day_bounds
from agencies.models import Agency, Membership
from learning.models import Enrollment, LearningEvent

from ..models import DailySnapshot

ACTIVE_WINDOW = datetime.timedelta(days=7)


def _time_zone(agency_id: int) -> str:
    return Agency.objects.filter(pk=agency_id).values_list("time_zone", flat=True).first() or ""


def snapshot_figures(*, agency_id: int, day: datetime.date, time_zone: str | None = None) -> dict:
    """{unit id or None: {figure: value}} for one agency at the end of its day `day` (in
    `time_zone`, the agency's, looked up when not given)."""
    if time_zone is None:
        time_zone = _time_zone(agency_id)
    start, end = agency_day_bounds(time_zone, day)
    done_by_end = Q(completed_at__lt=end)
    figures: dict = defaultdict(lambda: dict.fromkeys(DailySnapshot.FIGURES, 0))
    enrollments = (
        Enrollment.objects.filter(agency_id=agency_id, created_at__lt=end)
        .values("unit_id")
        .annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=done_by_end),
            in_progress=Count("id", filter=Q(started_at__lt=end) & ~done_by_end),
            overdue=Count("id", filter=Q(required=True, due_on__lt=day) & ~done_by_end),
            completions=Count("id", filter=Q(completed_at__gte=start, completed_at__lt=end)),
            learners_started=Count("user_id", distinct=True, filter=Q(started_at__lt=end)),
            learners_completed=Count("user_id", distinct=True, filter=done_by_end),
        )
        .order_by()
    )
    for row in enrollments:
        figures[row.pop("unit_id")].update(row)
    members = (
        Membership.objects.filter(agency_id=agency_id, is_active=True, joined_at__lt=end)
        .values("unit_id")
        .annotate(members=Count("id"), activated=Count("id", filter=Q(user__activated_at__lt=end)))
        .order_by()
    )
    for row in members:
        figures[row.pop("unit_id")].update(row)
    active = (
        LearningEvent.objects.filter(
            agency_id=agency_id, created_at__gte=end - ACTIVE_WINDOW, created_at__lt=end
        )
        .values("user__membership__unit_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    for row in active:
        figures[row["user__membership__unit_id"]]["active_learners"] = row["n"]
    return figures


def snapshot_write_agency(
    *, agency_id: int, day: datetime.date, time_zone: str | None = None
) -> int:
    """Write one agency's rows for `day`; returns how many rows were created, changed or
    deleted (0 when the day was already written with the same figures)."""
    figures = snapshot_figures(agency_id=agency_id, day=day, time_zone=time_zone)
    wanted = {unit: values for unit, values in figures.items() if any(values.values())}
    changed = 0
    with transaction.atomic():
        existing = {
            s.unit_id: s
            for s in DailySnapshot.objects.select_for_update().filter(agency_id=agency_id, day=day)
        }
        for unit_id, values in wanted.items():
            row = existing.pop(unit_id, None)
            if row is None:
                DailySnapshot.objects.create(
                    agency_id=agency_id, unit_id=unit_id, day=day, **values
                )
                changed += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                DailySnapshot.objects.filter(pk=row.pk).update(**values)
                changed += 1
        if existing:
            DailySnapshot.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
            changed += len(existing)
    return changed


def snapshots_write(*, day: datetime.date | None = None, now=None) -> int:
    """Write every agency's snapshot rows for `day`, by default each agency's own yesterday
    at `now` (the last day that has ended there). Idempotent."""
    changed = 0
    for pk, time_zone in Agency.objects.order_by("pk").values_list("pk", "time_zone"):
        agency_day = day or agency_date(time_zone, now) - datetime.timedelta(days=1)
        changed += snapshot_write_agency(agency_id=pk, day=agency_day, time_zone=time_zone)
    return changed


def last_finished_day(now=None) -> datetime.date:
    """The latest day that has ended in every agency (the site's yesterday when there is none)."""
    zones = set(Agency.objects.values_list("time_zone", flat=True)) or {None}
    return min(agency_date(zone, now) for zone in zones) - datetime.timedelta(days=1)


def snapshots_backfill(*, start: datetime.date, end: datetime.date | None = None) -> int:
    """Write (or rewrite) every day from start to end (default: the last day that has ended
    in every agency)."""
    end = end or last_finished_day()
    changed, day = 0, start
    while day <= end:
        changed += snapshots_write(day=day)
        day += datetime.timedelta(days=1)
    return changed
