"""A manager's core journey, from the home page by the header's links, on a laptop and a phone:
assign a course to a unit (form, preview, confirm), adjust due dates, nudge an overdue person,
then request a CSV report from the dashboard and download it once its page says it is ready."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from agencies.models import Unit
from courses.models import Course
from reminders.models import Kind, ReminderLog
from tests.e2e.conftest import both_widths, nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@both_widths
def test_manager_assigns_training_and_downloads_a_report(page, live_server, axe_check, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sign_in(page, "manager@demo.gov", axe_check=axe_check)
    axe_check(page)
    nav(page, "Manage", "Assignments")
    page.wait_for_url("**/reminders/assignments/")
    axe_check(page)
    page.get_by_role("link", name="Assign training").click()
    page.wait_for_url("**/reminders/assignments/new/")
    axe_check(page)
    course = Course.objects.get(slug="genai-fundamentals")
    page.locator("#id_course").select_option(str(course.pk))
    page.locator("#id_target").select_option("unit")
    page.locator("#id_unit").select_option(str(Unit.objects.get(name="Web Team").pk))
    page.locator("#id_due_kind").select_option("date")
    # A date in the past is refused on its field.
    past = datetime.date.today() - datetime.timedelta(days=3)
    page.locator("#id_due_on").fill(past.isoformat())
    page.get_by_role("button", name="Continue", exact=True).click()
    assert "cannot be before today" in page.locator("main").inner_text()
    axe_check(page)
    # A date to come: the preview says who and what, and nothing is saved until confirmed.
    soon = datetime.date.today() + datetime.timedelta(days=10)
    page.locator("#id_due_on").fill(soon.isoformat())
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("heading", name="Check the assignment").wait_for()
    assert "will be enrolled" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Change", exact=True).click()
    assert page.locator("#id_due_on").input_value() == soon.isoformat()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Confirm and assign").click()
    page.wait_for_url("**/reminders/assignments/*/")
    assert "people enrolled" in page.locator("main").inner_text()
    axe_check(page)
    detail = page.url

    # One person gets an extension, with a reason, shown on the assignment.
    page.get_by_role("link", name=re.compile(r"^Extend or exempt")).first.click()
    axe_check(page)
    later = soon + datetime.timedelta(days=30)
    page.locator("#id_due_on").fill(later.isoformat())
    page.locator("#id_reason").fill("On leave until next month")
    page.locator("main").get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(detail)
    assert "On leave until next month" in page.locator("main").inner_text()
    axe_check(page)
    # Everyone's due date changes, with a reason.
    page.get_by_role("link", name="Change the due date").click()
    axe_check(page)
    page.locator("#id_due_on").fill((soon + datetime.timedelta(days=7)).isoformat())
    page.locator("#id_reason").fill("The audit moved a week")
    page.get_by_role("button", name="Save the new due date").click()
    page.wait_for_url(detail)
    assert "The audit moved a week" in page.locator("main").inner_text()
    axe_check(page)

    nav(page, "Reports", "Overdue training")
    page.wait_for_url("**/reports/overdue/")
    axe_check(page)
    page.get_by_role("button", name="Send a reminder").first.click()
    page.wait_for_url("**/reports/overdue/")  # the one overdue list
    assert "Reminder sent to" in page.locator("main").inner_text()
    assert ReminderLog.objects.filter(kind=Kind.NUDGE).count() == 1
    axe_check(page)

    # The report: requested from the dashboard, made in the background, downloaded when the
    # run's page (which updates itself) offers the link.
    nav(page, "Reports", "Dashboard")
    page.wait_for_url("**/reports/")
    axe_check(page)
    page.get_by_text("Request a report", exact=True).click()
    request = page.get_by_role("group", name="Request a report of this scope")
    request.get_by_label("Report", exact=True).select_option(label="Completion detail")
    request.get_by_label("Format", exact=True).select_option(label="CSV")
    request.get_by_role("button", name="Request report").click()
    page.wait_for_url("**/reports/runs/*/")
    download_link = page.get_by_role("link", name=re.compile("^Download"))
    download_link.wait_for()
    axe_check(page)
    with page.expect_download() as info:
        download_link.click()
    with open(info.value.path(), encoding="utf-8-sig") as report:
        content = report.read()
    assert content.startswith("Agency,Unit,Learner,Email,Course")
    assert "learner@demo.gov" in content
