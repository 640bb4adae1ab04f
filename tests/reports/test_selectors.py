"""Dashboard figures against the hand-computed world in conftest.py (today = 2025-03-12)."""

import datetime

import pytest
from django.http import Http404

from reports.access import dashboard_scope
from reports.selectors import dashboard_figures, overdue_people, platform_adoption
from reports.services.snapshots import snapshots_write

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def figures(user, **filters):
    return dashboard_figures(dashboard_scope(user, **filters), today=TODAY)


def pick(d, *names):
    return {name: d[name] for name in names}


HEAD = (
    "members",
    "activated",
    "enrolled",
    "in_progress",
    "completed",
    "required_rate",
    "overdue",
    "certified",
)


def test_agency_admin_headline(dash):
    result = figures(dash.w.a_admin)
    assert pick(result["headline"], *HEAD) == {
        "members": 7,
        "activated": 2,
        "enrolled": 7,
        "in_progress": 3,
        "completed": 2,
        "required_rate": 25.0,
        "overdue": 2,
        "certified": 2,
    }


def test_manager_sees_their_subtree_only(dash):
    result = figures(dash.w.a_manager)
    assert pick(result["headline"], *HEAD) == {
        "members": 4,
        "activated": 1,
        "enrolled": 4,
        "in_progress": 1,
        "completed": 1,
        "required_rate": 50.0,
        "overdue": 1,
        "certified": 1,
    }
    rows = {
        r["label"]: pick(r, "enrolled", "completed", "overdue", "members")
        for r in result["breakdown"]
    }
    assert rows == {
        "Data": {"enrolled": 3, "completed": 1, "overdue": 1, "members": 2},
        None: {"enrolled": 1, "completed": 0, "overdue": 0, "members": 2},
    }


def test_unit_filter_sums_the_subtree(dash):
    w = dash.w
    hq = figures(w.a_admin, unit_id=w.hq.pk)["headline"]
    assert (hq["enrolled"], hq["overdue"], hq["members"]) == (7, 2, 6)
    ops = figures(w.a_admin, unit_id=w.ops.pk)["headline"]
    assert (ops["enrolled"], ops["completed"], ops["overdue"], ops["required_rate"]) == (
        3,
        1,
        1,
        0.0,
    )


def test_agency_breakdown_drills_from_top_level_units(dash):
    rows = figures(dash.w.a_admin)["breakdown"]
    assert [(r["label"], r["enrolled"], r["members"]) for r in rows] == [("HQ", 7, 6), (None, 0, 1)]


def test_course_table_with_average_and_median(dash):
    rows = {r["label"]: r for r in figures(dash.w.a_admin)["courses"]}
    assert pick(rows["Course One"], "enrolled", "in_progress", "completed", "overdue") == {
        "enrolled": 4,
        "in_progress": 2,
        "completed": 1,
        "overdue": 2,
    }
    assert rows["Course One"]["median_days"] == (2, 2)
    assert rows["Course Two"]["median_days"] == (8, 8)
    assert rows["Course Two"]["average_score"] is None  # no quiz, no score


def test_course_and_required_filters(dash):
    w = dash.w
    c2 = figures(w.a_admin, course_id=dash.c2.pk)
    assert pick(c2["headline"], "enrolled", "completed", "overdue") == {
        "enrolled": 3,
        "completed": 1,
        "overdue": 0,
    }
    assert (c2["funnel"]["started"], c2["funnel"]["completed"]) == (3 - 1, 1)
    required = figures(w.a_admin, required_only=True)["headline"]
    assert (required["enrolled"], required["completed"], required["required_rate"]) == (4, 1, 25.0)


def test_overdue_moves_with_the_calendar_not_with_writes(dash):
    scope = dashboard_scope(dash.w.a_admin)
    assert dashboard_figures(scope, today=datetime.date(2025, 3, 6))["headline"]["overdue"] == 1
    assert dashboard_figures(scope, today=datetime.date(2025, 3, 25))["headline"]["overdue"] == 3


def test_date_range_trend_and_completions(dash):
    result = figures(
        dash.w.a_admin, start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 12)
    )
    assert [(w["start"], w["completions"]) for w in result["weeks"]] == [
        (datetime.date(2025, 2, 24), 0),
        (datetime.date(2025, 3, 3), 1),
        (datetime.date(2025, 3, 10), 1),
    ]
    assert result["headline"]["completions_in_period"] == 2
    narrow = figures(
        dash.w.a_admin, start=datetime.date(2025, 3, 4), end=datetime.date(2025, 3, 12)
    )
    assert narrow["headline"]["completions_in_period"] == 1
    assert len(figures(dash.w.a_admin)["weeks"]) == 12


def test_funnel_and_active_learners_come_from_snapshots(dash):
    snapshots_write(day=datetime.date(2025, 3, 11))
    result = figures(dash.w.a_admin)
    assert pick(result["funnel"], "members", "activated", "started", "completed") == {
        "members": 7,
        "activated": 2,
        "started": 3,
        "completed": 2,
    }
    assert result["funnel"]["as_of"] == datetime.date(2025, 3, 11)
    last = result["weeks"][-1]
    assert (last["start"], last["active_learners"]) == (datetime.date(2025, 3, 10), 2)


def test_platform_view_all_agencies_and_side_by_side(dash):
    w = dash.w
    everything = figures(w.platform_admin)
    assert everything["headline"]["enrolled"] == 8
    assert {r["label"]: r["overdue"] for r in everything["breakdown"]} == {
        "Agency A": 2,
        "Agency B": 1,
    }
    adoption = {r["agency"].slug: r for r in platform_adoption(today=TODAY)["agencies"]}
    assert pick(adoption["agency-a"], "members", "activated", "required_rate") == {
        "members": 7,
        "activated": 2,
        "required_rate": 25.0,
    }
    assert adoption["agency-b"]["required_rate"] == 0.0
    assert sum(w["completions"] for w in adoption["agency-a"]["trend"]) == 2


def test_overdue_people_with_their_nearest_manager(dash):
    rows = overdue_people(dash.w.a_admin, dashboard_scope(dash.w.a_admin), today=TODAY)
    assert [(r["user"].email, r["days_overdue"]) for r in rows] == [
        ("d2@a.gov", 7),
        ("o2@a.gov", 2),
    ]
    assert rows[0]["manager"] == dash.w.a_manager  # Data is below Digital
    assert rows[1]["manager"] is None  # nobody manages Ops


def test_overdue_people_never_get_a_deactivated_manager(dash):
    from agencies.models import Role
    from tests.builders import make_member

    make_member(dash.w.a, Role.MANAGER, dash.w.data, email="gone@a.gov", is_active=False)
    rows = overdue_people(dash.w.a_admin, dashboard_scope(dash.w.a_admin), today=TODAY)
    assert rows[0]["user"].email == "d2@a.gov"
    assert rows[0]["manager"] == dash.w.a_manager  # not the switched-off manager of Data


@pytest.mark.parametrize(
    "who, filters",
    [
        ("a_manager", {"unit_id": "ops"}),
        ("a_manager", {"unit_id": "branch"}),
        ("a_admin", {"unit_id": "branch"}),
        ("a_admin", {"agency_id": "b"}),
        ("b_manager", {"agency_id": "a"}),
        ("a_learner", {}),
        ("a_trainer", {}),
        ("a_manager", {"course_id": "cb"}),
    ],
)
def test_scope_outside_what_the_user_sees_is_404(dash, who, filters):
    w = dash.w
    resolved = {k: getattr(w, v, None) or getattr(dash, v) for k, v in filters.items()}
    resolved = {k: v.pk for k, v in resolved.items()}
    with pytest.raises(Http404):
        dashboard_scope(getattr(w, who), **resolved)


def test_overdue_is_counted_in_the_agency_time_zone(world):
    import time_machine

    from learning import services as learning
    from reports.selectors.figures import overdue_by
    from tests.builders import build_course

    course = build_course(world.a_trainer, world.a, slug="tz-course", publish=True)
    learning.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=datetime.date(2025, 3, 12)
    )
    scope = dashboard_scope(world.a_admin)
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC), tick=False):
        scope.agency.time_zone = "America/Los_Angeles"  # still the morning of 12 March there
        assert sum(overdue_by(scope, "agency_id").values()) == 0
        scope.agency.time_zone = "Pacific/Kiritimati"  # already 13 March there
        assert sum(overdue_by(scope, "agency_id").values()) == 1
