"""The manager dashboard: headline figures, funnel, per-course and per-unit tables, trend.

A constant number of queries over aggregate rows, whatever the number of enrollments.
"""

from django.db.models import Q, Sum

from agencies.models import Agency, Unit
from courses.models import Course, LearningPath

from ..access import DashboardScope
from ..models import CourseEnrollmentCount, DailySnapshot
from ..registries import dashboard_panels
from . import figures as f
from .trend import trend_weeks


def _units(scope: DashboardScope) -> list[dict]:
    if scope.agency is None:
        return []
    return list(
        Unit.objects.filter(scope.place_q(unit_path="path"))
        .values("id", "name", "path", "parent_id")
        .order_by("path")
    )


def _unit_rows(scope, units, by_unit, overdue, members) -> list[dict]:
    """One row per child unit of the scope (its whole subtree summed), plus the people placed
    directly in the scope's unit (or in no unit, at agency level)."""
    parent_id = scope.unit.pk if scope.unit else None
    prefix = scope.unit.path if scope.unit else "/"
    children = [u for u in units if u["parent_id"] == parent_id]
    totals = {child["id"]: f.blank() for child in children}
    own = _add_unit(f.blank(), parent_id, by_unit, overdue, members)
    for unit in units:
        # "/3/17/42/" below "/3/": 17 is the child of the scope whose subtree holds unit 42.
        head = unit["path"][len(prefix) :].split("/", 1)[0]
        if head and int(head) in totals:
            _add_unit(totals[int(head)], unit["id"], by_unit, overdue, members)
    rows = [
        {"unit_id": c["id"], "label": c["name"], "drill": True, **f.finish(totals[c["id"]])}
        for c in children
    ]
    if any(own[k] for k in ("enrolled", "members")):
        rows.append({"unit_id": parent_id, "label": None, "drill": False, **f.finish(own)})
    return rows


def _add_unit(total, unit_id, by_unit, overdue, members):
    f.add(total, by_unit.get(unit_id, {}))
    total["overdue"] += overdue.get(unit_id, 0)
    m, a = members.get(unit_id, (0, 0))
    total["members"] += m
    total["activated"] += a
    return total


def _agency_rows(scope, by_agency, overdue, members) -> list[dict]:
    rows = []
    for agency in Agency.objects.filter(is_active=True).order_by("name").values("id", "name"):
        total = f.blank()
        f.add(total, by_agency.get(agency["id"], {}))
        total["overdue"] += overdue.get(agency["id"], 0)
        total["members"], total["activated"] = members.get(agency["id"], (0, 0))
        rows.append(
            {"agency_id": agency["id"], "label": agency["name"], "drill": True, **f.finish(total)}
        )
    return rows


def _course_rows(scope, today) -> tuple[list[dict], dict]:
    by_course = f.status_figures(scope, "course_id")
    overdue = f.overdue_by(scope, "course_id", today=today)
    medians = f.median_days_by_course(scope)
    ids = set(by_course) | set(overdue)
    titles = dict(Course.objects.filter(pk__in=ids).values_list("pk", "title"))
    rows, headline = [], f.blank()
    for course_id in sorted(ids, key=lambda pk: titles.get(pk, "")):
        figures = by_course.get(course_id, f.blank())
        figures["overdue"] = overdue.get(course_id, 0)
        f.add(headline, figures)
        rows.append(
            {
                "course_id": course_id,
                "label": titles.get(course_id, "?"),
                "median_days": medians.get(course_id),
                **f.finish(dict(figures)),
            }
        )
    return rows, headline


def _funnel(scope, headline, today) -> dict:
    """People at each stage. Started/completed are distinct people, which per-course rows cannot
    give: for one course they are its enrollments; otherwise last night's snapshot."""
    funnel = {"members": headline["members"], "activated": headline["activated"], "as_of": None}
    if scope.course_ids is not None and len(scope.course_ids) == 1:
        funnel["started"] = headline["in_progress"] + headline["completed"]
        funnel["completed"] = headline["completed"]
        return funnel
    latest = (
        DailySnapshot.objects.filter(scope.place_q(), day__lt=today)
        .values("day")
        .annotate(started=Sum("learners_started"), completed=Sum("learners_completed"))
        .order_by("-day")
        .first()
    )
    funnel["started"] = latest["started"] if latest else None
    funnel["completed"] = latest["completed"] if latest else None
    funnel["as_of"] = latest["day"] if latest else None
    return funnel


def dashboard_figures(scope: DashboardScope, *, today=None) -> dict:
    """Everything the dashboard shows for `scope` (built by reports.access.dashboard_scope)."""
    today = today or scope.today()
    course_rows, headline = _course_rows(scope, today)
    if scope.agency is None:
        group = "agency_id"
        breakdown_members = f.members_by(scope, group)
        breakdown = _agency_rows(
            scope,
            f.status_figures(scope, group),
            f.overdue_by(scope, group, today=today),
            breakdown_members,
        )
        units = []
    else:
        group = "unit_id"
        units = _units(scope)
        breakdown_members = f.members_by(scope, group)
        breakdown = _unit_rows(
            scope,
            units,
            f.status_figures(scope, group),
            f.overdue_by(scope, group, today=today),
            breakdown_members,
        )
    headline["members"] = sum(m for m, _ in breakdown_members.values())
    headline["activated"] = sum(a for _, a in breakdown_members.values())
    f.finish(headline)
    weeks = trend_weeks(scope, today=today)
    headline["completions_in_period"] = sum(w["completions"] for w in weeks)
    return {
        "scope": scope,
        "today": today,
        "headline": headline,
        "funnel": _funnel(scope, headline, today),
        "courses": course_rows,
        "breakdown": breakdown,
        "units": units,
        "weeks": weeks,
    }


def dashboard_panel_list(scope: DashboardScope) -> list[dict]:
    """The dashboard's sections in order (reports.registries.dashboard_panels), each with its
    template and its own data (None for the built-in panels, which read dashboard_figures)."""
    return [
        {
            "key": key,
            "template": panel.template,
            "data": panel.data(scope) if panel.data is not None else None,
        }
        for key, panel in dashboard_panels.items()
    ]


def dashboard_filter_choices(scope: DashboardScope, *, paths: bool = True) -> dict:
    """Courses and paths that the filter form offers: those with enrollments in the agency
    (paths only when asked for: the overdue page filters by course alone)."""
    cells = CourseEnrollmentCount.objects.all()  # a few rows per course, not per unit x course
    if scope.agency is not None:
        cells = cells.filter(agency_id=scope.agency.pk)
    courses = list(
        Course.objects.filter(pk__in=cells.values("course_id"))
        .order_by("title")
        .values_list("pk", "title")
    )
    if not paths:
        return {"courses": courses, "paths": []}
    rows = LearningPath.objects.all()
    if scope.agency is not None:
        rows = rows.filter(Q(owner__isnull=True) | Q(owner_id=scope.agency.pk))
    return {"courses": courses, "paths": list(rows.order_by("title").values_list("pk", "title"))}
