"""Journey: a trainer schedules a live session linked to a course, a learner registers from the
catalog (by links from the home page), the host marks attendance on the roster once it has
started, and the learner's course then shows its live-session step done. axe on every page; on
a phone too."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from learning import services as learning
from live.models import Registration
from tests.builders import simple_course, with_live_steps
from tests.e2e.conftest import both_widths, nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Prompting clinic for caseworkers"
COURSE = "Prompting in practice"
STEP = "Attend a prompting clinic"


def sign_out(page):
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        header.get_by_role("button", name="Sign out").click()


@both_widths
def test_trainer_schedules_learner_registers_host_marks_attendance(
    page, live_server, axe_check, world, mailoutbox
):
    starts = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    course = simple_course(world.a_trainer, world.a, slug="prompting-practice", title=COURSE)
    with_live_steps(course, STEP)
    learning.enrollment_create(user=world.a_learner, course=course)

    # The trainer schedules the session from Learning > Live sessions > Schedule a session.
    sign_in(page, world.a_trainer.email, axe_check=axe_check)
    nav(page, "Learning", "Live sessions")
    page.wait_for_url("**/live/")
    axe_check(page)
    page.get_by_role("link", name="Schedule a session").click()
    page.wait_for_url("**/studio/live/new/")
    axe_check(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Format").select_option("online")
    page.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    # A session that ends before it starts is refused, with the error beside the field.
    page.get_by_label("Ends at").fill((starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Capacity (seats)").fill("10")
    page.get_by_label("Join link").fill("https://meet.example.gov/clinic")
    page.get_by_label("Linked course").select_option(label=COURSE)
    page.get_by_role("button", name="Schedule", exact=True).click()
    assert "The session must end after it starts." in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_label("Ends at").fill((starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    axe_check(page)
    sign_out(page)

    # The learner finds it in the catalog and registers, asking for captions.
    sign_in(page, world.a_learner.email, axe_check=axe_check)
    nav(page, "Catalog")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    axe_check(page)
    page.locator("label", has_text="Live captioning").click()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("You are registered. An invitation is on its way by email.").wait_for()
    axe_check(page)
    registration = Registration.objects.get(user=world.a_learner)
    assert registration.status == "registered"
    assert registration.accommodations == ["captioning"]
    sign_out(page)

    # Once the session has started, the host marks attendance on the roster.
    with time_machine.travel(starts + timedelta(minutes=10), tick=True):
        page.context.clear_cookies()
        sign_in(page, world.a_trainer.email)
        nav(page, "Learning", "Live sessions")
        page.get_by_role("link", name="Sessions I host").click()
        axe_check(page)
        page.get_by_role("link", name=f"Roster of {TITLE}").click()
        axe_check(page)
        assert "Live captioning" in page.locator("main").inner_text()
        checkbox = page.get_by_role("checkbox", name=world.a_learner.full_name)
        checkbox.focus()
        page.keyboard.press("Space")  # keyboard-friendly: Space ticks the box
        page.get_by_role("button", name="Save attendance").click()
        page.get_by_text("Attendance saved: 1 attended, 0 did not.").wait_for()
        axe_check(page)
    registration.refresh_from_db()
    assert registration.status == "attended"

    # The learner's course now shows the live-session step done (its page says so too).
    sign_out(page)
    sign_in(page, world.a_learner.email)
    page.get_by_role("link", name=re.compile(rf"^(Start|Continue)\s+{COURSE}$")).click()
    contents = page.get_by_role("navigation", name="Course contents")
    step = contents.get_by_role("link", name=re.compile(rf"Live session: {STEP}"))
    assert "(done)" in step.inner_text()
    step.click()
    page.get_by_role("heading", level=1, name=STEP).wait_for()
    assert "Done: you attended a live session of this course." in page.locator("main").inner_text()
    axe_check(page)


def test_manager_assigns_a_session_and_the_learner_sees_it_on_my_learning(
    page, live_server, axe_check, world
):
    from live.models import SessionAssignment
    from tests.live.conftest import schedule

    session = schedule(world.a_trainer, days=5, title="Records workshop for the Data unit")

    # The manager opens the session from Learning > Live sessions and assigns it by links.
    sign_in(page, world.a_manager.email)
    nav(page, "Learning", "Live sessions")
    page.get_by_role("link", name=session.title).first.click()
    page.get_by_role("heading", level=1, name=session.title).wait_for()
    page.get_by_role("link", name="Assign this session").click()
    page.wait_for_url(f"**/live/{session.pk}/assign/")
    axe_check(page)
    page.get_by_label("Assign to").select_option("people")
    page.get_by_label("People (email addresses)").fill("nobody@nowhere.gov")
    page.get_by_role("button", name="Assign the session").click()
    assert "nobody@nowhere.gov" in page.locator("main").inner_text()  # refused, said why
    axe_check(page)
    page.get_by_label("People (email addresses)").fill(world.a_learner.email)
    page.get_by_role("button", name="Assign the session").click()
    page.get_by_text("Session assigned: 1 registered").wait_for()
    axe_check(page)
    assert SessionAssignment.objects.filter(session=session).count() == 1
    assert Registration.objects.get(session=session).user == world.a_learner
    sign_out(page)

    # The learner sees it on My learning, assigned, with its date, and registered.
    sign_in(page, world.a_learner.email)
    nav(page, "My learning")
    section = page.get_by_role("region", name="Live sessions assigned to you")
    section.wait_for()
    text = section.inner_text()
    assert session.title in text and "due" in text and "registered" in text.lower()
    axe_check(page)
