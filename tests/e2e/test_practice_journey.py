"""Journey: a learner hands in a practice task from the course player, a trainer of the
learner's agency claims it from Reviews and returns it, the learner reads the feedback and
resubmits, the trainer passes it, and the course is completed with its certificate. Every page
by links from the home page; axe on every page; on a phone too."""

import re

import pytest

from learning import services as learning
from learning.models import Certificate
from practice.models import Submission
from tests.builders import complete_lesson, simple_course, with_practice_task
from tests.e2e.conftest import both_widths, nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COURSE = "Handling personal data"
TASK = "Rewrite a prompt"


def sign_out(page):
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        header.get_by_role("button", name="Sign out").click()


def open_task(page, axe_check, *, completed=False):
    if completed:  # a completed course leaves the home page: its catalog page offers "Review"
        nav(page, "Catalog")
        page.get_by_role("link", name=COURSE, exact=True).click()
    page.get_by_role("link", name=re.compile(rf"^(Start|Continue|Review)\s+{COURSE}$")).click()
    contents = page.get_by_role("navigation", name="Course contents")
    contents.get_by_role("link", name=re.compile(rf"Practice task: {TASK}")).click()
    page.get_by_role("heading", level=1, name=TASK).wait_for()
    axe_check(page)


def review(page, axe_check, levels, comment):
    nav(page, "Reviews")
    page.get_by_role("heading", level=1, name="Practice tasks to review").wait_for()
    axe_check(page)
    page.get_by_role("link", name=TASK).click()
    page.get_by_role("button", name="Claim to grade").click()
    page.get_by_text("You hold this submission").wait_for()
    axe_check(page)
    for label in levels:
        page.locator("label", has_text=label).click()  # USWDS draws the radio on its label
    page.get_by_label("Overall comment").fill(comment)
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Review saved: the learner has been told.").wait_for()
    axe_check(page)


@both_widths
def test_submit_return_resubmit_pass_completes_the_course(
    page, live_server, axe_check, world, mailoutbox
):
    course = simple_course(world.a_trainer, world.a, slug="personal-data", title=COURSE)
    with_practice_task(world.a_trainer, course)
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")

    # The learner opens the task from the course contents and submits an answer.
    sign_in(page, world.a_learner.email, axe_check=axe_check)
    open_task(page, axe_check)
    page.get_by_label("Your answer").fill("Summarize the appeal of [the claimant].")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted: a reviewer of your agency will grade it.").wait_for()
    assert "Waiting for review" in page.locator("main").text_content()
    axe_check(page)
    sign_out(page)

    # A trainer of the learner's agency returns it: below the pass mark.
    sign_in(page, world.a_trainer.email)
    review(page, axe_check, ["Some remains (0)", "Every change explained (2)"], "Remove the date.")
    assert Submission.objects.get().status == "returned"
    sign_out(page)

    # The learner reads the feedback and resubmits.
    sign_in(page, world.a_learner.email)
    open_task(page, axe_check)
    main = page.locator("main")
    assert "Remove the date." in main.inner_text()
    assert "Returned for more work" in main.text_content()
    page.get_by_label("Your answer").fill("Summarize an appeal; no identifiers left.")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted: a reviewer of your agency will grade it.").wait_for()
    sign_out(page)

    # The trainer passes it: the last step, so the course is completed.
    sign_in(page, world.a_trainer.email)
    review(page, axe_check, ["All removed (2)", "Some reasons (1)"], "Well done.")
    sign_out(page)

    sign_in(page, world.a_learner.email)
    open_task(page, axe_check, completed=True)
    assert "Done: a reviewer passed your work." in page.locator("main").inner_text()
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    assert Submission.objects.get().reviews.count() == 2
