"""Report pages (issue 12): live status of a run, the request form near the top of the
dashboard, chart dates in the reader's language, and the HTML equivalent of the PDF summary."""

import datetime
import re

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from reports.access import dashboard_scope
from reports.charts import trend_chart, week_label
from reports.models import ReportRun
from reports.services.runs import report_request

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def queued(dash):
    """A run still waiting for the worker (its task is never run)."""
    return report_request(
        actor=dash.w.a_manager, scope=dash_scope(dash), kind="completion", format="csv"
    )


def dash_scope(dash, user=None):
    return dashboard_scope(user or dash.w.a_manager)


@pytest.fixture
def pdf_run(dash, django_capture_on_commit_callbacks):
    # The PDF is written in the worker's active language; its /Lang says which.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        run = report_request(
            actor=dash.w.a_manager, scope=dash_scope(dash), kind="adoption", format="pdf"
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    return run


def status_url(run):
    return reverse("reports:run_status", args=[run.pk])


def test_run_page_polls_a_status_fragment_in_a_live_region(dash, queued, client_for):
    html = (
        client_for(dash.w.a_manager)
        .get(reverse("reports:run_detail", args=[queued.pk]))
        .content.decode()
    )
    assert 'role="status" aria-live="polite"' in html
    assert f'data-status-url="{status_url(queued)}"' in html
    assert "js/report-status.js" in html
    assert "Check again" in html  # without JavaScript the link still reloads the page


def test_status_fragment_follows_the_run_to_the_download(dash, queued, client_for):
    client = client_for(dash.w.a_manager)
    fragment = client.get(status_url(queued)).content.decode()
    assert 'data-finished="0"' in fragment and "Queued" in fragment
    assert "<html" not in fragment
    ReportRun.objects.filter(pk=queued.pk).update(status=ReportRun.Status.RUNNING, rows_done=1200)
    fragment = client.get(status_url(queued)).content.decode()
    assert "Running" in fragment and "1200 rows written" in fragment
    ReportRun.objects.filter(pk=queued.pk).update(
        status=ReportRun.Status.DONE, rows_done=1234, file="reports/x.csv"
    )
    fragment = client.get(status_url(queued)).content.decode()
    assert 'data-finished="1"' in fragment and "Ready: 1234 rows." in fragment
    assert reverse("reports:run_download", args=[queued.pk]) in fragment
    assert "Check again" not in fragment


def test_status_fragment_has_exact_queries(dash, queued, client_for, django_assert_num_queries):
    client = client_for(dash.w.a_manager)
    client.get(status_url(queued))
    # user, the run with its unit and agency (session and membership: from the cache)
    with django_assert_num_queries(2):
        assert client.get(status_url(queued)).status_code == 200


@pytest.mark.parametrize("who", ["b_admin", "b_manager", "a_learner", "a_trainer"])
def test_status_fragment_and_summary_outside_scope_are_404(dash, queued, pdf_run, client_for, who):
    client = client_for(getattr(dash.w, who))
    assert client.get(status_url(queued)).status_code == 404
    assert client.get(reverse("reports:run_summary", args=[pdf_run.pk])).status_code == 404


def test_agency_run_status_is_404_for_a_manager(dash, client_for):
    run = report_request(
        actor=dash.w.a_admin, scope=dash_scope(dash, dash.w.a_admin), kind="overdue", format="csv"
    )
    assert client_for(dash.w.a_manager).get(status_url(run)).status_code == 404
    assert client_for(dash.w.a_admin).get(status_url(run)).status_code == 200


def test_dashboard_offers_the_report_request_near_the_top(dash, client_for):
    html = client_for(dash.w.a_manager).get(DASHBOARD).content.decode()
    request_at = html.index('id="request-a-report"')
    assert request_at < html.index("Headline figures")
    assert "<summary" in html[request_at:] and 'id="request-report"' in html[request_at:]
    assert 'id="request-a-report">' in html  # folded by default
    opened = client_for(dash.w.a_manager).get(DASHBOARD, {"report": "1"}).content.decode()
    assert 'id="request-a-report" open>' in opened
    runs = client_for(dash.w.a_manager).get(reverse("reports:run_list")).content.decode()
    assert f"{DASHBOARD}?report=1#request-a-report" in runs


def test_week_labels_follow_the_language():
    day = datetime.date(2025, 3, 3)
    with translation.override("en"):
        assert week_label(day) == "March 3"
    with translation.override("fr"):
        assert week_label(day) == "3 mars"
        svg = trend_chart([{"start": day, "completions": 2, "active_learners": 1}])
    assert "3 mars" in svg and "March" not in svg


def test_dashboard_in_french_writes_chart_dates_and_percentages_in_french(dash, client_for):
    client = client_for(dash.w.a_admin)
    html = client.get(DASHBOARD, headers={"accept-language": "fr"}).content.decode()
    chart = html.split('aria-labelledby="trend-title', 1)[1].split("</svg>")[0]
    assert "mars" in chart or "févr." in chart
    assert "Mar " not in chart and "Feb " not in chart
    assert "\u00a0%" in html  # "50 %": a no-break space before the sign


def test_pdf_summary_has_an_accessible_web_page_beside_it(dash, pdf_run, client_for):
    client = client_for(dash.w.a_manager)
    detail = client.get(reverse("reports:run_detail", args=[pdf_run.pk])).content.decode()
    summary_url = reverse("reports:run_summary", args=[pdf_run.pk])
    assert f'href="{summary_url}"' in detail and "not a tagged PDF" in detail
    page = client.get(summary_url).content.decode()
    assert "Training summary: Digital" in page and "Headline figures" in page
    assert 'id="summary-weeks"' in page
    with default_storage.open(pdf_run.file.name, "rb") as handle:
        pdf = handle.read()
    assert re.search(rb"/Lang \(en[^)]*\)", pdf)
    assert b"/Title (Training summary: Digital)" in pdf


def test_summary_page_is_only_for_pdf_runs_and_has_exact_queries(
    dash, pdf_run, queued, client_for, django_assert_num_queries
):
    client = client_for(dash.w.a_manager)
    assert client.get(reverse("reports:run_summary", args=[queued.pk])).status_code == 404
    url = reverse("reports:run_summary", args=[pdf_run.pk])
    client.get(url)
    with django_assert_num_queries(13):  # the user, the run, the dashboard figures
        assert client.get(url).status_code == 200
