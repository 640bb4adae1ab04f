"""What the eye sees, measured in the browser (issue 10, items 6 and 12): the catalog's search
box and its button sit on one line at the same height; a lesson's headings are smaller than the
page title and its callouts are drawn as callouts; "Question 1" is smaller than the quiz title;
the studio's Preview buttons are not red like Delete. Reached from the home page by links."""

import re

import pytest

from courses import services as course_services
from tests.builders import build_course
from tests.e2e.conftest import both_widths, nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Intro to AI"

# The box of an element and the few computed styles these checks compare.
BOX_JS = """
el => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          fontSize: parseFloat(s.fontSize), background: s.backgroundColor,
          borderLeft: parseFloat(s.borderLeftWidth)};
}
"""
TRANSPARENT = "rgba(0, 0, 0, 0)"


def box(locator):
    return locator.evaluate(BOX_JS)


@pytest.fixture
def course_with_callout(world):
    course = build_course(world.a_trainer, world.a, title=TITLE)
    course_services.lesson_create(
        actor=world.a_trainer,
        module=course.modules.first(),
        title="Callouts",
        key="callouts",
        body='## Part one\n\n!!! warning "Careful"\n    Check it.\n\n### A detail\n\nText.',
        estimated_minutes=3,
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    return course


@both_widths
def test_search_box_headings_callouts_and_question_sizes(
    page, live_server, axe_check, world, course_with_callout
):
    sign_in(page, world.a_learner.email)
    nav(page, "Catalog")
    field = box(page.get_by_label("Search titles and summaries"))
    button = box(page.get_by_role("button", name="Find courses"))
    assert abs(field["top"] - button["top"]) <= 1 and abs(field["bottom"] - button["bottom"]) <= 1
    assert button["left"] >= field["right"] - 1  # side by side, the button right of the field
    axe_check(page)

    page.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("button", name=f"Enroll {TITLE}").click()
    page.wait_for_url(re.compile(r".*/lessons/.*"))
    page.locator("nav.usa-sidenav-wrap, .usa-sidenav").get_by_role("link", name="Callouts").click()
    page.wait_for_url(re.compile(r".*/lessons/callouts/$"))
    title = box(page.locator("main h1"))
    body = page.locator(".academy-lesson-body")
    part, detail = box(body.locator("h2")), box(body.locator("h3"))
    assert title["fontSize"] > part["fontSize"] > detail["fontSize"]
    callout = box(body.locator(".admonition.warning"))
    assert callout["background"] != TRANSPARENT and callout["borderLeft"] > 0
    axe_check(page)

    page.locator(".usa-sidenav").get_by_role("link", name=re.compile("Check")).click()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    quiz_title, question = box(page.locator("main h1")), box(page.locator("legend").first)
    assert quiz_title["fontSize"] > question["fontSize"]
    axe_check(page)


def test_studio_preview_buttons_are_not_drawn_like_delete(
    page, live_server, axe_check, world, course_with_callout
):
    sign_in(page, world.a_trainer.email)
    nav(page, "Studio")
    page.get_by_role("link", name=TITLE).click()
    preview_as_learner = box(page.get_by_role("link", name="Preview as a learner"))
    page.get_by_role("link", name="Callouts", exact=True).click()
    page.wait_for_url(re.compile(r".*/lessons/\d+/$"))
    preview = box(page.get_by_role("button", name="Preview", exact=True))
    delete = box(page.get_by_role("link", name="Delete this lesson"))
    assert delete["background"] != TRANSPARENT  # Delete is a filled, red button
    for button in (preview_as_learner, preview):
        assert button["background"] != delete["background"]
    axe_check(page)
