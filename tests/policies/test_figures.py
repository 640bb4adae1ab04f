"""The AI policy on the dashboard and in reports: the acknowledgement cells, the panel, the
report kind (issue 15)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.services import membership_set_active, membership_update
from policies import services
from policies.cells import expected_cells
from policies.figures import dashboard_panel, report_rows
from policies.models import AcknowledgementCell
from reports.access import dashboard_scope
from reports.models import ReportRun
from reports.services.recompute import aggregates_recompute_agency
from reports.services.runs import report_request

from .conftest import publish

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def acknowledge(user, version, *, now=None):
    return services.policy_acknowledge(
        user=user, version=version, typed_name=user.full_name, now=now
    )


def stored(agency) -> dict:
    return {
        (AcknowledgementCell, *key): {"n": n}
        for *key, n in AcknowledgementCell.objects.filter(agency=agency)
        .exclude(n=0)
        .values_list("agency_id", "unit_id", "version_id", "day", "n")
    }


def test_acknowledging_counts_the_person_once_in_their_unit(world, published):
    acknowledge(world.a_learner, published)
    acknowledge(world.a_learner, published)  # a double click counts once
    today = timezone.now().date()
    assert stored(world.a) == {
        (AcknowledgementCell, world.a.pk, world.data.pk, published.pk, today): {"n": 1}
    }
    assert stored(world.a) == expected_cells(world.a.pk)


def test_a_yearly_renewal_moves_the_person_to_the_new_day(world):
    version = publish(world.a_admin, world.a, yearly=True)
    then = timezone.now() - datetime.timedelta(days=400)
    acknowledge(world.a_learner, version, now=then)
    acknowledge(world.a_learner, version)
    cells = stored(world.a)
    assert list(cells.values()) == [{"n": 1}]
    assert next(iter(cells))[4] == timezone.now().date()
    assert cells == expected_cells(world.a.pk)


def test_the_cells_follow_a_member_who_moves_or_is_deactivated(world, published):
    acknowledge(world.a_learner, published)
    membership = world.a_learner.membership
    membership_update(
        actor=world.a_admin, membership=membership, role=membership.role, unit=world.ops
    )
    [key] = stored(world.a)
    assert key[2] == world.ops.pk
    membership.refresh_from_db()
    membership_set_active(actor=world.a_admin, membership=membership, active=False)
    assert stored(world.a) == {} == expected_cells(world.a.pk)
    membership.refresh_from_db()
    membership_set_active(actor=world.a_admin, membership=membership, active=True)
    assert len(stored(world.a)) == 1
    assert stored(world.a) == expected_cells(world.a.pk)


def test_the_nightly_recompute_repairs_drifted_cells(world, published):
    acknowledge(world.a_learner, published)
    AcknowledgementCell.objects.update(n=5)
    drift = aggregates_recompute_agency(agency_id=world.a.pk)
    assert [d.table for d in drift] == ["AcknowledgementCell"]
    assert stored(world.a) == expected_cells(world.a.pk)
    assert aggregates_recompute_agency(agency_id=world.a.pk) == []


# --- the dashboard panel ------------------------------------------------------------------


def test_the_panel_counts_who_acknowledged_which_version(world, published):
    acknowledge(world.a_learner, published)
    acknowledge(world.a_ops_learner, published)
    second = publish(world.a_admin, world.a, title="AI rules, revised")
    acknowledge(world.a_learner, second)
    panel = dashboard_panel(dashboard_scope(world.a_admin))
    assert panel["version"] == second
    assert (panel["members"], panel["acknowledged"], panel["pending"]) == (5, 1, 4)
    assert panel["rate"] == 20
    assert [(v["version__number"], v["people"]) for v in panel["versions"]] == [(2, 1), (1, 2)]


def test_a_manager_sees_only_their_units(world, published):
    acknowledge(world.a_learner, published)  # Data, under Digital
    acknowledge(world.a_ops_learner, published)  # Ops: not theirs
    panel = dashboard_panel(dashboard_scope(world.a_manager))
    assert (panel["members"], panel["acknowledged"], panel["pending"]) == (3, 1, 2)


def test_another_agency_sees_none_of_it(world, published):
    acknowledge(world.a_learner, published)
    assert dashboard_panel(dashboard_scope(world.b_admin)) is None  # B has no policy
    publish(world.b_admin, world.b)
    panel = dashboard_panel(dashboard_scope(world.b_admin))
    assert (panel["members"], panel["acknowledged"], panel["versions"]) == (3, 0, [])


def test_a_yearly_acknowledgement_older_than_a_year_no_longer_counts(world):
    version = publish(world.a_admin, world.a, yearly=True)
    acknowledge(world.a_learner, version, now=timezone.now() - datetime.timedelta(days=400))
    panel = dashboard_panel(dashboard_scope(world.a_admin))
    assert panel["acknowledged"] == 0
    assert [(v["version__number"], v["people"]) for v in panel["versions"]] == [(1, 1)]


def test_the_dashboard_shows_the_panel_in_three_queries(
    world, published, client_for, django_assert_num_queries
):
    acknowledge(world.a_learner, published)
    body = client_for(world.a_admin).get(DASHBOARD).content.decode()
    assert "AI policy acknowledgements" in body
    assert reverse("policies:status") in body
    scope = dashboard_scope(world.a_admin)
    with django_assert_num_queries(3):
        dashboard_panel(scope)


def test_the_dashboard_has_no_panel_without_a_policy(world, client_for):
    body = client_for(world.a_admin).get(DASHBOARD).content.decode()
    assert 'id="ai-policy-panel"' not in body


# --- the report -----------------------------------------------------------------------------


def test_the_report_lists_each_person_with_their_versions(world, published):
    acknowledge(world.a_learner, published)
    second = publish(world.a_admin, world.a)
    acknowledge(world.a_ops_learner, second)
    header, *rows = list(report_rows(dashboard_scope(world.a_admin)))
    assert header[4:] == [
        "Current version",
        "Acknowledged the current version",
        "Acknowledged on",
        "Latest version acknowledged",
    ]
    by_email = {row[3]: row for row in rows}
    assert set(by_email) == {
        u.email
        for u in (
            world.a_admin,
            world.a_manager,
            world.a_trainer,
            world.a_learner,
            world.a_ops_learner,
        )
    }
    assert by_email["learner@a.gov"][4:6] == ["v2", "no"]
    assert by_email["learner@a.gov"][7] == "v1"
    assert by_email["ops@a.gov"][4:6] == ["v2", "yes"]
    assert by_email["ops@a.gov"][6] == timezone.now().date().isoformat()
    assert by_email["manager@a.gov"][5:] == ["no", "", ""]


def test_the_report_stays_in_scope(world, published):
    publish(world.b_admin, world.b)
    _header, *rows = list(report_rows(dashboard_scope(world.a_manager)))
    assert {row[3] for row in rows} == {"manager@a.gov", "trainer@a.gov", "learner@a.gov"}
    _header, *rows = list(report_rows(dashboard_scope(world.b_admin)))
    assert {row[0] for row in rows} == {"Agency B"}


def test_the_report_kind_is_requested_and_produced(
    world, published, django_capture_on_commit_callbacks
):
    acknowledge(world.a_learner, published)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(
            actor=world.a_admin,
            scope=dashboard_scope(world.a_admin),
            kind="ai_policy",
            format="csv",
        )
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.get_kind_display()) == (
        "done",
        5,
        "AI policy acknowledgements",
    )
    with run.file.open("rb") as f:
        lines = list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))
    assert lines[0][0] == "Agency" and len(lines) == 6
    assert ReportRun.objects.filter(kind="ai_policy").count() == 1
