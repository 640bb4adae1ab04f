import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from agencies.models import Unit
from reminders.models import Kind, ReminderLog
from reports.access import dashboard_scope
from reports.models import ReportRun
from reports.services.runs import report_request
from tests.e2e.conftest import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_filters_dashboard_and_downloads_a_csv_report(
    page, live_server, axe_check, settings
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sign_in(page, "manager@demo.gov")
    nav(page, "Reports", "Dashboard")
    assert "Digital Services" in page.locator(".usa-intro").inner_text()
    axe_check(page)

    data_team = Unit.objects.get(name="Data Team")
    page.locator("#f-unit").select_option(str(data_team.pk))
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**/reports/?*unit={data_team.pk}*")
    assert "Data Team" in page.locator(".usa-intro").inner_text()
    assert page.locator("svg.academy-chart[role=img]").count() == 2
    assert page.locator("#trend-table tbody tr").count() == 12
    axe_check(page)

    # The request form is folded near the top of the dashboard, not 3,700 px down.
    page.get_by_text("Request a report", exact=True).click()
    page.locator("#r-kind").select_option("completion")
    page.locator("#r-format").select_option("csv")
    page.locator("#request-report").click()
    page.wait_for_url("**/reports/runs/*/")
    page.locator("#download-report").wait_for()
    axe_check(page)
    with page.expect_download() as info:
        page.locator("#download-report").click()
    content = open(info.value.path(), encoding="utf-8-sig").read()
    assert content.startswith("Agency,Unit,Learner,Email,Course")
    assert "learner@demo.gov" in content and "Field Office" not in content

    # The one overdue list, from the header; "remind everyone" asks first, with a count.
    nav(page, "Reports", "Overdue training")
    assert "What overdue means" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Remind everyone overdue").click()
    page.wait_for_url("**/reminders/overdue/nudge/*")
    assert "This will send a reminder to" in page.locator("main").inner_text()
    assert not ReminderLog.objects.filter(kind=Kind.NUDGE).exists()
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/reports/overdue/*")
    assert "sent to people overdue" in page.locator("main").inner_text()
    assert ReminderLog.objects.filter(kind=Kind.NUDGE).exists()
    axe_check(page)


def test_run_page_shows_progress_live_and_offers_the_download_when_done(
    page, live_server, axe_check, settings, monkeypatch
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    manager = User.objects.get(email="manager@demo.gov")
    # No worker picks the run up: the test plays the worker's part, step by step.
    monkeypatch.setattr("reports.tasks.report_run_task.delay", lambda *args, **kwargs: None)
    run = report_request(
        actor=manager, scope=dashboard_scope(manager), kind="completion", format="csv"
    )
    sign_in(page, "manager@demo.gov")
    nav(page, "Reports", "Requested reports")
    axe_check(page)
    page.get_by_role("link", name="Completion detail (CSV)").first.click()
    status = page.locator("#run-status")
    assert "Queued" in status.inner_text()
    expect(page.get_by_role("link", name="Check again")).to_be_hidden()  # the page updates
    axe_check(page)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING, rows_done=40)
    page.get_by_text("40 rows written").wait_for()
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE, rows_done=42)
    page.locator("#download-report").wait_for()
    assert "Ready: 42 rows." in status.inner_text()
    axe_check(page)
