import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from agencies.models import Membership, Unit
from learning.models import Enrollment, EnrollmentStatus
from reports.selectors import platform_adoption
from reports.services.recompute import aggregates_recompute_agency
from reports.services.snapshots import snapshots_write

from .conftest import TODAY

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC), tick=True):
        yield


def get(client_for, user, url, **params):
    return client_for(user).get(url, params)


def add_bulk(dash, *, people=1500, units=25):
    """Thousands of rows: many units under Data, people and two enrollments each (bulk, then
    the nightly recompute builds their aggregates: this data is scenery, not the test)."""
    w = dash.w
    made = []
    for i in range(units):
        unit = Unit.objects.create(agency=w.a, parent=w.data, name=f"Team {i}", path="")
        unit.path = f"{w.data.path}{unit.pk}/"
        unit.save(update_fields=["path"])
        made.append(unit)
    users = User.objects.bulk_create(User(email=f"bulk{i}@a.gov") for i in range(people))
    Membership.objects.bulk_create(
        Membership(user=u, agency=w.a, unit=made[i % units]) for i, u in enumerate(users)
    )
    statuses = [EnrollmentStatus.NOT_STARTED, EnrollmentStatus.IN_PROGRESS]
    Enrollment.objects.bulk_create(
        Enrollment(
            user=u,
            course=course,
            version_id=course.current_version_id,
            agency=w.a,
            unit=made[i % units],
            status=statuses[i % 2],
            required=True,
            due_on=datetime.date(2025, 3, 1 + i % 20),
        )
        for i, u in enumerate(users)
        for course in (dash.c1, dash.c2)
    )
    aggregates_recompute_agency(agency_id=w.a.pk)
    snapshots_write(day=TODAY - datetime.timedelta(days=1))


def count_queries(client_for, user, url, django_assert_num_queries, exact, **params):
    client = client_for(user)
    client.get(url, params)  # warm the session, so only the page's own queries are counted
    with django_assert_num_queries(exact) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "who, params, queries",
    [
        # Each count includes one query for the live sessions' attendance panel (live/), one
        # for the practice reviews panel (practice/) and, for one agency, one for the AI policy
        # panel (policies/: its current version; none).
        ("a_manager", {}, 20),
        ("a_admin", {}, 19),
        ("a_admin", {"unit": "data"}, 20),
        ("platform_admin", {}, 16),
        ("platform_admin", {"agency": "a"}, 19),
    ],
)
def test_dashboard_query_count_does_not_grow_with_rows(
    dash, client_for, who, params, queries, django_assert_num_queries
):
    w = dash.w
    params = {k: getattr(w, v).pk for k, v in params.items()}
    user = getattr(w, who)
    small = count_queries(client_for, user, DASHBOARD, django_assert_num_queries, queries, **params)
    add_bulk(dash)
    big = count_queries(client_for, user, DASHBOARD, django_assert_num_queries, queries, **params)
    assert big == small


def test_overdue_and_platform_pages_have_exact_queries(dash, client_for, django_assert_num_queries):
    add_bulk(dash)
    count_queries(
        client_for, dash.w.a_admin, reverse("reports:overdue"), django_assert_num_queries, 7
    )
    count_queries(
        client_for,
        dash.w.platform_admin,
        reverse("reports:platform"),
        django_assert_num_queries,
        6,
    )
    count_queries(
        client_for, dash.w.a_admin, reverse("reports:run_list"), django_assert_num_queries, 3
    )


def test_manager_dashboard_shows_their_figures_and_charts(dash, client_for):
    response = get(client_for, dash.w.a_manager, DASHBOARD)
    html = response.content.decode()
    assert "Digital and the units below it" in html
    assert html.count("<svg") == 2 and 'role="img"' in html
    assert 'id="trend-table"' in html and 'id="breakdown-table"' in html
    assert "Ops" not in html and "Agency B" not in html
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_drill_down_link_and_filters(dash, client_for):
    w = dash.w
    html = get(client_for, w.a_admin, DASHBOARD).content.decode()
    assert f"?unit={w.hq.pk}" in html
    html = get(
        client_for,
        w.a_admin,
        DASHBOARD,
        unit=w.hq.pk,
        required="on",
        start="2025-03-01",
        end="2025-03-12",
    ).content.decode()
    assert f"unit={w.digital.pk}" in html and "required training only" in html


@pytest.mark.parametrize(
    "who, params",
    [
        ("a_manager", {"unit": "ops"}),
        ("a_manager", {"unit": "branch"}),
        ("a_admin", {"agency": "b"}),
        ("a_admin", {"unit": "branch"}),
        ("b_admin", {"unit": "hq"}),
        ("a_learner", {}),
        ("a_trainer", {}),
        ("b_manager", {"course": "c1"}),
    ],
)
def test_dashboard_outside_scope_is_404(dash, client_for, who, params):
    w = dash.w
    params = {k: (getattr(w, v, None) or getattr(dash, v)).pk for k, v in params.items()}
    assert get(client_for, getattr(w, who), DASHBOARD, **params).status_code == 404
    assert get(client_for, getattr(w, who), reverse("reports:overdue"), **params).status_code == 404


def test_platform_view_is_for_platform_admins_only(dash, client_for):
    assert get(client_for, dash.w.a_admin, reverse("reports:platform")).status_code == 404
    html = get(client_for, dash.w.platform_admin, reverse("reports:platform")).content.decode()
    assert "Agency A" in html and "Agency B" in html and 'id="platform-table"' in html
    rows = {r["agency"].slug: r for r in platform_adoption(today=TODAY)["agencies"]}
    weekly = ", ".join(str(week["completions"]) for week in rows["agency-a"]["trend"])
    assert f"<td>{weekly}</td>" in html and weekly.count(",") == 11
    assert f'href="{DASHBOARD}?agency={dash.w.a.pk}"' in html


def test_filters_mark_the_chosen_unit_and_course_and_escape_names(dash, client_for):
    w = dash.w
    Unit.objects.filter(pk=w.ops.pk).update(name="Ops & <Field>")
    html = get(client_for, w.a_admin, DASHBOARD, unit=w.hq.pk, course=dash.c1.pk).content.decode()
    assert f'<option value="{w.hq.pk}" selected>' in html
    assert f'<option value="{dash.c1.pk}" selected>{dash.c1.title}</option>' in html
    assert f'<option value="{w.ops.pk}">' in html and "Ops &amp; &lt;Field&gt;" in html
    assert "<Field>" not in html


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(DASHBOARD).status_code == 302


def test_overdue_page_lists_people_with_manager(dash, client_for):
    html = get(client_for, dash.w.a_admin, reverse("reports:overdue")).content.decode()
    assert "d2@a.gov" in html and "o2@a.gov" in html and "manager@a.gov" not in html
    html = get(client_for, dash.w.a_manager, reverse("reports:overdue")).content.decode()
    assert "d2@a.gov" in html and "o2@a.gov" not in html


def test_overdue_page_offers_a_nudge_for_assigned_people(
    world, client_for, django_capture_on_commit_callbacks
):
    from reminders import services as reminders
    from reminders.models import Assignee, TargetKind
    from tests.builders import build_course

    course = build_course(world.a_trainer, world.a, slug="nudge-me", publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.assignment_create(
            actor=world.a_manager,
            course=course,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=datetime.date(2025, 3, 1),
            now=datetime.datetime(2025, 2, 20, 12, tzinfo=datetime.UTC),
        )
    assignee = Assignee.objects.get(user=world.a_learner)

    html = get(client_for, world.a_manager, reverse("reports:overdue")).content.decode()

    assert f'action="{reverse("reminders:nudge", args=[assignee.pk])}"' in html
