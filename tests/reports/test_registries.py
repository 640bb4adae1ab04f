import pytest
from django.urls import reverse

from academy.registry import AlreadyRegistered
from reports.access import dashboard_scope
from reports.forms import ReportRequestForm
from reports.models import MemberCount, ReportRun
from reports.registries import (
    AggregateSource,
    DashboardPanel,
    ReportType,
    aggregate_sources,
    dashboard_panels,
    report_kinds,
)
from reports.services.recompute import Drift, aggregates_recompute_agency
from reports.services.runs import report_request

pytestmark = pytest.mark.django_db


def test_a_registered_report_kind_is_offered_produced_and_named(
    world, django_capture_on_commit_callbacks
):
    # The built-ins first; downstream apps (policies: "ai_policy", live: "attendance",
    # ehri: "ehri") register theirs after.
    assert report_kinds.keys()[:3] == ["completion", "overdue", "adoption"]
    assert {"ai_policy", "attendance", "ehri"} <= set(report_kinds.keys())
    headcount = ReportType(label="Headcount", rows=lambda scope: iter([("people",), (3,)]))
    with report_kinds.temporary():
        report_kinds.register("headcount", headcount)
        with pytest.raises(AlreadyRegistered):
            report_kinds.register("completion", headcount)
        assert ("headcount", "Headcount") in ReportRequestForm().fields["kind"].choices
        with django_capture_on_commit_callbacks(execute=True):
            run = report_request(
                actor=world.a_admin,
                scope=dashboard_scope(world.a_admin),
                kind="headcount",
                format="csv",
            )
        run.refresh_from_db()
        assert (run.status, run.rows_done, run.get_kind_display()) == ("done", 1, "Headcount")

    with pytest.raises(ValueError):
        report_request(
            actor=world.a_admin,
            scope=dashboard_scope(world.a_admin),
            kind="headcount",
            format="csv",
        )
    assert not ReportRun.objects.filter(kind="headcount", status="queued").exists()


def test_a_registered_dashboard_panel_is_shown_with_its_data(world, client_for, settings, tmp_path):
    (tmp_path / "attendance.html").write_text(
        "<h2>Attendance</h2><p>{{ panel_data.sessions }} live sessions held</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    assert dashboard_panels.keys() == [
        *("headline", "funnel", "trend", "courses", "breakdown"),
        "live_attendance",  # live/ registers its panel from its ready()
        "ai_policy",  # and policies/ from its own
        "practice_reviews",  # and practice/ (after policies in INSTALLED_APPS)
    ]
    panel = DashboardPanel(template="attendance.html", data=lambda scope: {"sessions": 7})
    with dashboard_panels.temporary():
        dashboard_panels.register("attendance", panel)
        with pytest.raises(AlreadyRegistered):
            dashboard_panels.register("trend", panel)
        body = client_for(world.a_admin).get(reverse("reports:dashboard")).content.decode()
    assert "7 live sessions held" in body
    assert body.index("Headline figures") < body.index("Attendance")
    body = client_for(world.a_admin).get(reverse("reports:dashboard")).content.decode()
    assert "live sessions held" not in body


def test_a_registered_aggregate_source_is_recomputed_nightly(world):
    assert aggregate_sources.keys() == [
        *("enrollments", "members"),
        *("live_attendance", "policy_acknowledgements"),  # live/, policies/
    ]
    key = (world.a.pk, world.ops.pk, False, False)  # inactive members in Ops: none

    def expected(agency_id):
        return {(MemberCount, *key): {"n": 2}} if agency_id == world.a.pk else {}

    with aggregate_sources.temporary():
        aggregate_sources.register(
            "archived-members", AggregateSource(models=(MemberCount,), expected=expected)
        )
        with pytest.raises(AlreadyRegistered):
            aggregate_sources.register("members", AggregateSource(models=(), expected=dict))
        drift = aggregates_recompute_agency(agency_id=world.a.pk, repair=False)
    assert drift == [Drift("MemberCount", key, {"n": 0}, {"n": 2})]
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []
