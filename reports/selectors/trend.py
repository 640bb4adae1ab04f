"""Weekly trends: completions from the weekly roll-ups (CourseCompletionWeek for a whole agency,
UnitCompletionWeek for a unit subtree; CompletionDay only for a unit subtree with a course
filter and for the days of a week the window cuts), active learners from DailySnapshot."""

import datetime
from collections import defaultdict

from django.db.models import Q, Sum

from ..access import DashboardScope
from ..models import CompletionDay, CourseCompletionWeek, DailySnapshot, UnitCompletionWeek

DEFAULT_WEEKS = 12


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def trend_window(scope: DashboardScope, *, today=None) -> tuple[datetime.date, datetime.date]:
    """The days the trend covers: the chosen range, else the 12 weeks ending this week."""
    today = today or scope.today()
    if scope.start and scope.end:
        return scope.start, scope.end
    if scope.start:
        return scope.start, max(scope.start, today)
    end = scope.end or today
    return week_start(end) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), end


def trend_weeks(scope: DashboardScope, *, today=None) -> list[dict]:
    """One row per week (Monday first): completions in the week (within the window) and active
    learners (people with a learning event in the 7 days ending on the week's last snapshot)."""
    today = today or scope.today()
    first, last = trend_window(scope, today=today)
    weeks = []
    start = week_start(first)
    while start <= last:
        end = start + datetime.timedelta(days=6)
        weeks.append(
            {
                "start": start,
                "end": end,
                "completions": 0,
                "active_learners": None,
                "sample": min(end, last, today - datetime.timedelta(days=1)),
            }
        )
        start += datetime.timedelta(weeks=1)
    by_week = _completions_by_week(scope, weeks, first, last, today)
    active = dict(
        DailySnapshot.objects.filter(scope.place_q(), day__in=[w["sample"] for w in weeks])
        .values("day")
        .annotate(n=Sum("active_learners"))
        .order_by()
        .values_list("day", "n")
    )
    for week in weeks:
        week["completions"] = by_week.get(week["start"], 0)
        week["active_learners"] = active.get(week["sample"])
    return weeks


def _completions_by_week(scope, weeks, first, last, today) -> dict:
    """{week start: completions from `first` to `last`}, in one query for the usual window.

    A week lying wholly inside the window is read from a weekly row; so is the current week
    when the window runs to today or later (nothing completes in the future). Only the days of
    a week that a chosen range cuts are read from the daily rows.
    """
    if scope.unit is None:
        weekly = CourseCompletionWeek.objects.filter(scope.course_cells_q())
    elif scope.course_ids is None:
        weekly = UnitCompletionWeek.objects.filter(scope.unit_cells_q())
    else:
        weekly = None
    whole, cut = [], []
    for week in weeks:
        inside = week["start"] >= first and (week["end"] <= last or last >= today)
        (whole if inside and weekly is not None else cut).append(week)
    by_week: dict = defaultdict(int)
    if whole:
        rows = (
            weekly.filter(week__range=(whole[0]["start"], whole[-1]["start"]))
            .values_list("week")
            .annotate(n=Sum("n"))
            .order_by()
        )
        wanted = {w["start"] for w in whole}
        for week, n in rows:
            if week in wanted:
                by_week[week] += n
    if cut:
        days = Q()
        for week in cut:  # usually the first and last weeks of a chosen range
            days |= Q(day__range=(max(first, week["start"]), min(last, week["end"])))
        rows = (
            CompletionDay.objects.filter(scope.cells_q(), days)
            .values_list("day")
            .annotate(n=Sum("n"))
            .order_by()
        )
        wanted = {w["start"] for w in cut}
        for day, n in rows:
            if week_start(day) in wanted:
                by_week[week_start(day)] += n
    return by_week
