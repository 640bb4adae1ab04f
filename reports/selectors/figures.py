"""Summing aggregate rows into figures: the building blocks of every dashboard selector."""

import datetime
from collections import defaultdict

from django.db.models import Q, Sum

from ..access import DashboardScope
from ..models import (
    CompletionTime,
    CourseCompletionTime,
    CourseOpenDue,
    EnrollmentCount,
    MemberCount,
    OpenDueCount,
    UnitOpenDue,
)
from ..services.aggregates import bucket_range

FIGURES = (
    "enrolled",
    "not_started",
    "in_progress",
    "completed",
    "certified",
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


def status_figures(scope: DashboardScope, group: str) -> dict:
    """{group value: figures} from EnrollmentCount, grouped by e.g. "course_id" or "unit_id"."""
    rows = (
        EnrollmentCount.objects.filter(scope.cells_q())
        .values(group, "required", "status")
        .annotate(
            n=Sum("n"),
            score_sum=Sum("score_sum"),
            score_n=Sum("score_n"),
            certified=Sum("certified"),
        )
        .order_by()
    )
    result: dict = defaultdict(blank)
    for row in rows:
        figures = result[row[group]]
        figures["enrolled"] += row["n"]
        figures[row["status"]] += row["n"]
        figures["score_sum"] += row["score_sum"]
        figures["score_n"] += row["score_n"]
        figures["certified"] += row["certified"]
        if row["required"]:
            figures["required_total"] += row["n"]
            if row["status"] == "completed":
                figures["required_completed"] += row["n"]
    return result


def overdue_by(scope: DashboardScope, group: str, *, today: datetime.date | None = None) -> dict:
    """{group value: overdue enrollments}: open required enrollments due before today (the
    definition of `reminders.selectors.overdue_enrollments`, read from the aggregate rows),
    so overdue moves with the calendar."""
    today = today or scope.today()
    if group != "course_id" and scope.course_ids is None:
        cells = UnitOpenDue.objects.filter(scope.unit_cells_q())
    elif group != "unit_id" and scope.unit is None:
        cells = CourseOpenDue.objects.filter(scope.course_cells_q())
    else:
        cells = OpenDueCount.objects.filter(scope.cells_q())
    rows = (
        cells.filter(required=True, due_on__lt=today).values(group).annotate(n=Sum("n")).order_by()
    )
    return {row[group]: row["n"] for row in rows}


def members_by(scope: DashboardScope, group: str) -> dict:
    """{group value: (members, activated)}: active memberships; activated = signed in once.

    Read from MemberCount (a few rows per unit), summed over the unit subtree in scope."""
    rows = (
        MemberCount.objects.filter(scope.place_q(), active=True)
        .values(group)
        .annotate(members=Sum("n"), activated=Sum("n", filter=Q(activated=True)))
        .order_by()
    )
    return {row[group]: (row["members"] or 0, row["activated"] or 0) for row in rows}


def median_days_by_course(scope: DashboardScope) -> dict:
    """{course id: (first day, last day) of the bucket holding the median days to complete}."""
    cells = (
        CourseCompletionTime.objects.filter(scope.course_cells_q())
        if scope.unit is None
        else CompletionTime.objects.filter(scope.cells_q())
    )
    rows = cells.values("course_id", "bucket").annotate(n=Sum("n")).order_by("course_id", "bucket")
    histograms: dict = defaultdict(list)
    for row in rows:
        if row["n"] > 0:
            histograms[row["course_id"]].append((row["bucket"], row["n"]))
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
