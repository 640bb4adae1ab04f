"""A manager assigns a course to a unit, sees the progress, and nudges an overdue person."""

import datetime
import io

import pytest
from django.core.management import call_command

from agencies.models import Unit
from courses.models import Course
from reminders.models import Kind, ReminderLog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill("academy-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def test_manager_assigns_sees_progress_and_nudges(page, live_server, axe_check, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sign_in(page, "manager@demo.gov")
    page.goto("/reminders/assignments/")
    axe_check(page)
    page.get_by_role("link", name="Assign training").click()
    page.wait_for_url("**/reminders/assignments/new/")
    axe_check(page)
    course = Course.objects.get(slug="genai-fundamentals")
    page.locator("#id_course").select_option(str(course.pk))
    page.locator("#id_target").select_option("unit")
    page.locator("#id_unit").select_option(str(Unit.objects.get(name="Web Team").pk))
    page.locator("#id_due_kind").select_option("date")
    overdue = datetime.date.today() - datetime.timedelta(days=3)
    page.locator("#id_due_on").fill(overdue.isoformat())
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url("**/reminders/assignments/*/")
    assert "people enrolled" in page.locator("main").inner_text()
    axe_check(page)

    page.goto("/reminders/overdue/")
    axe_check(page)
    page.get_by_role("button", name="Send a reminder").first.click()
    page.wait_for_url("**/reminders/overdue/")
    assert "Reminder sent to" in page.locator("main").inner_text()
    assert ReminderLog.objects.filter(kind=Kind.NUDGE).count() == 1
    axe_check(page)

    page.goto("/reminders/notifications/")
    axe_check(page)
