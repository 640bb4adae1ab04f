import io

import pytest
from django.core.management import call_command

from agencies.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill("academy-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def test_manager_filters_dashboard_and_downloads_a_csv_report(
    page, live_server, axe_check, settings
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sign_in(page, "manager@demo.gov")
    page.goto("/reports/")
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

    page.goto("/reports/overdue/")
    axe_check(page)
