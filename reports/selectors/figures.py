"""Summing aggregate rows into figures: the building blocks of every dashboard selector."""

import datetime
from collections import defaultdict

from django.db.models import Q, Sum

from learning.models import EnrollmentStatus

from ..access import DashboardScope
from ..models import (
    CompletionTime,
    CourseCompletionTime,
    CourseEnrollmentCount,
    CourseOpenDue,
    EnrollmentCount,
    MemberCount,
    OpenDueCount,
    UnitEnrollmentCount,
    UnitOpenDue,
)
from ..services.aggregates import bucket_range

STATUSES = tuple(EnrollmentStatus.values)  # not_started, in_progress, completed
FIGURES = (
    "enrolled",
    "not_started",
    "in_progress",
    "completed",
    "certified",
    "imported",
    "expired",
    "required_expired",
    "score_sum",
    "score_n",
    "required_total",
    "required_completed",
    "overdue",
    "members",
    "activated",
)


def blank() -> dict:
    return dict.fromkeys(FIGURES, 0)


def add(into: dict, other: dict) -> dict:
    for name in FIGURES:
        into[name] += other.get(name, 0)
    return into


def finish(figures: dict) -> dict:
    """Derived figures: completion rate of required training, average score, activation."""
    required = figures["required_total"]
    figures["required_rate"] = (
        round(100 * figures["required_completed"] / required, 1) if required else None
    )
    figures["average_score"] = (
        round(figures["score_sum"] / figures["score_n"], 1) if figures["score_n"] else None
    )
    figures["activation_rate"] = (
        round(100 * figures["activated"] / figures["members"], 1) if figures["members"] else None
    )
    return figures


def narrowest(scope: DashboardScope, group: str, *, cells, by_unit, by_course):
    """The rows in scope of the smallest table that can answer `group`: the roll-up without the
    unit when whole agencies are in scope and the group is not the unit (a few courses per
    agency: the per-course table, and agencies side by side), else the roll-up without the course
    when no course filter applies (per unit), else the unit x course cells."""
    if group != "unit_id" and scope.unit is None:
        return by_course.objects.filter(scope.course_cells_q())
    if group != "course_id" and scope.course_ids is None:
        return by_unit.objects.filter(scope.unit_cells_q())
    return cells.objects.filter(scope.cells_q())


def status_figures(scope: DashboardScope, group: str) -> dict:
    """{group value: figures} by enrollment status, grouped by e.g. "course_id" or "unit_id":
    one row per group, the statuses and the required flag counted by the database.

    `required_completed` is the compliant count: required completions whose certificate has
    not expired (`expired` counts the expired ones among the completions)."""
    table = narrowest(
        scope,
        group,
        cells=EnrollmentCount,
        by_unit=UnitEnrollmentCount,
        by_course=CourseEnrollmentCount,
    )
    required = Q(required=True)
    sums = {
        "enrolled": Sum("n"),
        **{status: Sum("n", filter=Q(status=status)) for status in STATUSES},
        "certified": Sum("certified"),
        "imported": Sum("imported"),
        "expired": Sum("expired"),
        "required_expired": Sum("expired", filter=required),
        "score_sum": Sum("score_sum"),
        "score_n": Sum("score_n"),
        "required_total": Sum("n", filter=required),
        "required_completed": Sum("n", filter=required & Q(status=EnrollmentStatus.COMPLETED)),
    }
    # Aliased (an annotation may not take a field's name), read back in the same order.
    rows = (
        table.values_list(group)
        .annotate(**{f"sum_{name}": value for name, value in sums.items()})
        .order_by()
    )
    result: dict = defaultdict(blank)
    for key, *values in rows:
        figures = result[key]
        for name, value in zip(sums, values, strict=True):
            figures[name] = value or 0
        # Compliant: a required completion whose certificate has not expired.
        figures["required_completed"] -= figures["required_expired"]
    return result


def overdue_by(scope: DashboardScope, group: str, *, today: datetime.date | None = None) -> dict:
    """{group value: overdue enrollments}: open required enrollments due before today (the
    definition of `reminders.selectors.overdue_enrollments`, read from the aggregate rows),
    so overdue moves with the calendar."""
    today = today or scope.today()
    cells = narrowest(
        scope, group, cells=OpenDueCount, by_unit=UnitOpenDue, by_course=CourseOpenDue
    )
    rows = cells.filter(required=True, due_on__lt=today).values_list(group).annotate(n=Sum("n"))
    return dict(rows.order_by())


def members_by(scope: DashboardScope, group: str) -> dict:
    """{group value: (members, activated)}: active memberships; activated = signed in once.

    Read from MemberCount (a few rows per unit), summed over the unit subtree in scope."""
    rows = (
        MemberCount.objects.filter(scope.place_q(), active=True)
        .values_list(group)
        .annotate(members=Sum("n"), activated_n=Sum("n", filter=Q(activated=True)))
        .order_by()
    )
    return {key: (members or 0, activated or 0) for key, members, activated in rows}


def median_days_by_course(scope: DashboardScope) -> dict:
    """{course id: (first day, last day) of the bucket holding the median days to complete}."""
    cells = (
        CourseCompletionTime.objects.filter(scope.course_cells_q())
        if scope.unit is None
        else CompletionTime.objects.filter(scope.cells_q())
    )
    rows = (
        cells.values_list("course_id", "bucket")
        .annotate(n=Sum("n"))
        .order_by("course_id", "bucket")
    )
    histograms: dict = defaultdict(list)
    for course_id, bucket, n in rows:
        if n > 0:
            histograms[course_id].append((bucket, n))
    return {course: median_bucket(h) for course, h in histograms.items()}


def median_bucket(histogram: list[tuple[int, int]]) -> tuple[int, int | None] | None:
    """The bucket holding the lower median of a sorted [(bucket, count)] histogram."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    wanted, seen = (total + 1) // 2, 0
    for bucket, n in histogram:
        seen += n
        if seen >= wanted:
            return bucket_range(bucket)
    return None
