"""Weekly trends: completions from CompletionDay rows, active learners from DailySnapshot."""

import datetime
from collections import defaultdict

from django.db.models import Sum
from django.utils import timezone

from ..access import DashboardScope
from ..models import CompletionDay, DailySnapshot

DEFAULT_WEEKS = 12


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def trend_window(scope: DashboardScope, *, today=None) -> tuple[datetime.date, datetime.date]:
    """The days the trend covers: the chosen range, else the 12 weeks ending this week."""
    today = today or timezone.localdate()
    if scope.start and scope.end:
        return scope.start, scope.end
    if scope.start:
        return scope.start, max(scope.start, today)
    end = scope.end or today
    return week_start(end) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), end


def trend_weeks(scope: DashboardScope, *, today=None) -> list[dict]:
    """One row per week (Monday first): completions in the week (within the window) and active
    learners (people with a learning event in the 7 days ending on the week's last snapshot)."""
    today = today or timezone.localdate()
    first, last = trend_window(scope, today=today)
    weeks = []
    start = week_start(first)
    while start <= last:
        end = start + datetime.timedelta(days=6)
        weeks.append({"start": start, "end": end, "completions": 0, "active_learners": None,
                      "sample": min(end, last, today - datetime.timedelta(days=1))})
        start += datetime.timedelta(weeks=1)
    per_day = (CompletionDay.objects.filter(scope.cells_q(), day__range=(first, last))
               .values("day").annotate(n=Sum("n")).order_by())
    by_week = defaultdict(int)
    for row in per_day:
        by_week[week_start(row["day"])] += row["n"]
    active = dict(
        DailySnapshot.objects.filter(scope.place_q(), day__in=[w["sample"] for w in weeks])
        .values("day").annotate(n=Sum("active_learners")).order_by().values_list("day", "n"))
    for week in weeks:
        week["completions"] = by_week.get(week["start"], 0)
        week["active_learners"] = active.get(week["sample"])
    return weeks
