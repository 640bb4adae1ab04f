"""Adoption across agencies, side by side, for the people who run the whole rollout."""

import datetime
from collections import defaultdict

from django.db.models import Sum

from agencies.models import Agency

from ..access import DashboardScope
from ..models import CourseCompletionWeek
from . import figures as f
from .trend import DEFAULT_WEEKS, week_start


def platform_adoption(*, today=None) -> dict:
    """Per active agency: members, activated, completion rate of required training, and weekly
    completions over the last 12 weeks. Five queries whatever the number of agencies."""
    everywhere = DashboardScope(agency=None)
    today = today or everywhere.today()
    members = f.members_by(everywhere, "agency_id")
    statuses = f.status_figures(everywhere, "agency_id")
    overdue = f.overdue_by(everywhere, "agency_id", today=today)
    first = week_start(today) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1)
    weeks = [first + datetime.timedelta(weeks=i) for i in range(DEFAULT_WEEKS)]
    completions = defaultdict(lambda: dict.fromkeys(weeks, 0))
    # Weekly rows: the current week's row holds completions up to today (none are in the future).
    # Per course rather than per unit: an agency has tens of courses but can have hundreds of
    # units.
    for row in (
        CourseCompletionWeek.objects.filter(week__range=(first, weeks[-1]))
        .values("agency_id", "week")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        completions[row["agency_id"]][row["week"]] += row["n"]
    rows = []
    for agency in Agency.objects.filter(is_active=True).order_by("name"):
        figures = f.add(f.blank(), statuses.get(agency.pk, {}))
        figures["members"], figures["activated"] = members.get(agency.pk, (0, 0))
        figures["overdue"] = overdue.get(agency.pk, 0)
        trend = [{"start": w, "completions": completions[agency.pk][w]} for w in weeks]
        rows.append({"agency": agency, "trend": trend, **f.finish(figures)})
    return {"agencies": rows, "weeks": weeks, "today": today}
