"""A trainer builds and publishes a small course in the studio; a learner finds it.

The core journey starts at the home page and moves by the header's links, on a laptop and a
phone; axe-core runs on every page it visits.
"""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from courses.models import Course, Status
from tests.builders import make_member
from tests.e2e.conftest import both_widths, fill_sign_in_form, nav, sign_in
from tests.factories import AgencyFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@both_widths
def test_trainer_builds_a_course_with_a_quiz_and_a_learner_finds_it(page, live_server, axe_check):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    unit = UnitFactory(agency=agency, name="Digital")
    make_member(agency, Role.TRAINER, unit, email="trainer@example.gov")
    make_member(agency, Role.LEARNER, unit, email="learner@example.gov")

    sign_in(page, "trainer@example.gov", axe_check=axe_check)
    axe_check(page)
    nav(page, "Studio")
    expect(page.locator("h1")).to_have_text("Studio")
    axe_check(page)

    # Create the course; a missing title comes back as a field error, the rest kept.
    page.get_by_role("link", name="New course").click()
    axe_check(page)
    page.locator("#id_summary").fill("Write prompts that get useful answers.")
    page.get_by_role("button", name="Create course").click()
    expect(page.locator("#id_title-error")).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value("Write prompts that get useful answers.")
    axe_check(page)
    page.locator("#id_title").fill("Prompting for public servants")
    page.locator("#id_estimated_minutes").fill("15")
    page.locator("#id_topics").fill("prompting")
    page.locator("#id_outcomes").fill("Write a clear prompt")
    page.get_by_role("button", name="Create course").click()
    expect(page.locator("h1")).to_have_text("Prompting for public servants")
    axe_check(page)

    # Outline: a module, then a lesson in it.
    page.locator("#id_module-title").fill("Getting started")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("heading", name="Module 1: Getting started")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Add a lesson to “Getting started”").click()
    axe_check(page)
    page.locator("#id_title").fill("What a prompt is")
    page.locator("#id_estimated_minutes").fill("5")
    page.locator("#id_body").fill("A prompt is what you *ask*.")
    page.get_by_role("button", name="Add lesson").click()
    expect(page.locator("h1")).to_have_text("Lesson: What a prompt is")
    expect(page.locator("#lesson-preview em")).to_have_text("ask")
    axe_check(page)

    # The live preview follows typing, sanitised by the server.
    page.locator("#id_body").fill(
        "## Be specific\n\nSay **who**, what and why.\n\n<script>window.pwned = 1</script>"
    )
    expect(page.locator("#lesson-preview strong")).to_have_text("who")
    expect(page.locator("#lesson-preview h3")).to_have_text("Be specific")
    assert page.evaluate("window.pwned === undefined")
    axe_check(page)
    # Typing is saved automatically after a pause; leaving before that asks first.
    expect(page.locator("#lesson-draft-status")).to_contain_text("Saved automatically at")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("#id_body").press_sequentially(" More.")
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="Prompting for public servants"
    ).click()
    expect(page.locator("h1")).to_have_text("Lesson: What a prompt is")
    assert dialogs == ["beforeunload"]
    page.get_by_role("button", name="Save and back to outline").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Lesson saved.")

    # A quiz at the end of the module, with one question.
    page.get_by_role("link", name="Add a quiz to “Getting started”").click()
    axe_check(page)
    page.locator("#id_title").fill("Check your prompting")
    # "Questions per attempt" left empty: the quiz asks every question of its pool.
    page.get_by_role("button", name="Create quiz").click()
    expect(page.locator("h1")).to_have_text("Quiz: Check your prompting")
    axe_check(page)

    # Publishing is not offered yet; the problem says why in words and links to the fix.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="Prompting for public servants"
    ).click()
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_role("button", name="Publish now")).to_be_disabled()
    axe_check(page)
    page.get_by_role(
        "link", name=re.compile("The quiz “Check your prompting” has no questions yet")
    ).click()
    expect(page.locator("h1")).to_have_text("New question for “Check your prompting”")
    axe_check(page)
    # A true-or-false question: pick the answer, the two choices are made.
    page.locator("#id_type").select_option("true_false")
    expect(page.locator("#id_choice_1_text")).to_be_hidden()
    page.locator("#id_prompt").fill("A prompt should name its audience.")
    page.locator("label[for=id_true_false_answer_0]").click()
    axe_check(page)
    page.get_by_role("button", name="Save and add another").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Question added.")
    page.locator("#id_type").select_option("single")
    page.locator("#id_prompt").fill("Which prompt is clearer?")
    page.locator("#id_choice_1_text").fill("Summarise this memo in 3 bullet points for a minister")
    page.locator("label[for=id_choice_1_correct]").click()
    page.locator("#id_choice_1_feedback").fill("Yes: audience, format and length.")
    page.locator("#id_choice_2_text").fill("Do the memo thing")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator("table caption")).to_have_text("2 questions in the pool")
    axe_check(page)

    # Preview as a learner: the answer is not given away.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="Prompting for public servants"
    ).click()
    page.get_by_role("link", name="Preview as a learner").click()
    expect(page.locator("h1")).to_have_text("Prompting for public servants")
    expect(page.locator("main")).not_to_contain_text("audience, format and length")
    axe_check(page)

    # Publish, from the course's outline.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="Prompting for public servants"
    ).click()
    page.get_by_role("link", name="Publish", exact=True).click()
    axe_check(page)
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Published version 1.")
    axe_check(page)
    course = Course.objects.get(title="Prompting for public servants")
    assert course.status == Status.PUBLISHED

    page.get_by_role("link", name="Versions").click()
    axe_check(page)

    # The trainer signs out; a learner of the same agency finds the course in the catalog.
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        header.get_by_role("button", name="Sign out").click()
    axe_check(page)
    sign_in(page, "learner@example.gov")
    assert "Studio" not in page.locator("header.usa-header").inner_text()
    nav(page, "Catalog")
    axe_check(page)
    page.get_by_role("link", name="Prompting for public servants").click()
    expect(page).to_have_url(re.compile(rf"/courses/{course.slug}/$"))
    expect(page.locator("h1")).to_contain_text("Prompting for public servants")
    axe_check(page)


def test_studio_pages_off_the_main_journey_pass_axe(page, live_server, axe_check, tmp_path):
    from courses import services
    from tests.builders import build_course

    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    trainer = make_member(agency, Role.TRAINER, email="trainer@example.gov")
    course = build_course(trainer, agency, publish=True)
    services.course_publish(actor=trainer, course=course)
    studio = f"/studio/courses/{course.pk}"
    module = course.modules.get(key="basics")
    lesson = course.lessons.get(key="history")
    question = course.questions.get(key="q-two")

    sign_in(page, "trainer@example.gov")
    page.goto(f"{studio}/")
    # Move buttons work from the keyboard alone.
    page.get_by_role("button", name=re.compile(r"^Move up\s*: History$")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f"#module-{module.pk} tbody th").first).to_have_text("History")
    axe_check(page)
    for path in [
        f"{studio}/settings/",
        f"{studio}/modules/{module.pk}/rename/",
        f"{studio}/modules/{module.pk}/delete/",
        f"{studio}/lessons/{lesson.pk}/delete/",
        f"{studio}/questions/{question.pk}/",
        f"{studio}/answer-key/",
        f"{studio}/versions/diff/?from=1&to=2",
        f"{studio}/versions/1/restore/",
        "/studio/courses/import/",
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        axe_check(page)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    page.locator("#id_bundle").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".usa-alert--error")).to_contain_text("Nothing was imported")
    axe_check(page)


def test_trainer_adds_a_live_session_step_from_the_outline(page, live_server, axe_check):
    from courses.models import LiveStep
    from tests.builders import build_course

    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    trainer = make_member(agency, Role.TRAINER, email="trainer@example.gov")
    course = build_course(trainer, agency, publish=True)

    sign_in(page, "trainer@example.gov")
    page.goto(f"/studio/courses/{course.pk}/")
    page.get_by_role("link", name=re.compile(r"^Add a live-session step\s+to “Basics”$")).click()
    expect(page.locator("h1")).to_have_text("New live-session step in “Basics”")
    axe_check(page)
    page.get_by_role("button", name="Add the step").click()  # no title: refused, said where
    expect(page.locator("#id_title-error")).to_be_visible()
    axe_check(page)
    page.get_by_label("Title").fill("Attend a hands-on workshop")
    page.get_by_label("Description").fill("Bring a task from your work.")
    page.get_by_label("Description").press("Tab")
    page.keyboard.press("Enter")  # the focused "Add the step" button, from the keyboard
    page.get_by_role("table", name="Live-session steps in “Basics”").wait_for()
    axe_check(page)
    step = LiveStep.objects.get(course=course)
    assert (step.key, step.description) == (
        "attend-a-hands-on-workshop",
        "Bring a task from your work.",
    )
    page.get_by_role("link", name="Attend a hands-on workshop", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Edit the live-session step")
    axe_check(page)
    page.goto(f"/studio/courses/{course.pk}/live-steps/{step.pk}/delete/")
    axe_check(page)


def test_session_warning_and_nothing_typed_is_lost_when_the_session_ends(
    page, live_server, axe_check, settings
):
    from tests.builders import build_course

    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    trainer = make_member(agency, Role.TRAINER, email="trainer@example.gov")
    build_course(trainer, agency, title="Intro to AI")

    sign_in(page, "trainer@example.gov")
    nav(page, "Studio")
    page.get_by_role("link", name="Intro to AI").click()
    # The course page (rendered with 30 minutes) has run its script before the window shrinks:
    # otherwise it could store its 30-minute deadline after the key below is removed.
    expect(page.locator("h1")).to_have_text("Intro to AI")
    page.wait_for_load_state("load")
    # From here the session lasts 125 s, so the two-minute warning comes after 5 s. (Pages
    # share the latest deadline in localStorage; the earlier pages had 30 minutes.)
    settings.SESSION_COOKIE_AGE = 125
    page.evaluate("localStorage.removeItem('academy:session-deadline')")
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator("h1")).to_have_text("Lesson: History")
    dialog = page.get_by_role("dialog", name="Your session is about to end")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_contain_text("you will be signed out at")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    axe_check(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#session-timeout-status")).to_have_text("You are still signed in.")
    settings.SESSION_COOKIE_AGE = 30 * 60

    # The session ends (here: its cookie goes) while the trainer types.
    page.context.clear_cookies(name="sessionid")
    page.locator("#id_body").fill("Text typed after the session ended.")
    signed_out = page.get_by_role("dialog", name="You have been signed out")
    expect(signed_out).to_be_visible()
    expect(page.locator("#lesson-preview-status")).to_have_text(
        "Preview paused: you are signed out. Sign in again in another tab; your text is kept."
    )
    expect(page.locator("#lesson-preview")).not_to_contain_text("Sign in")
    expect(page.locator("#lesson-draft-status")).to_contain_text("You are signed out")
    axe_check(page)
    signed_out.get_by_role("button", name="Close").click()

    # Save anyway: it goes to the sign-in page, and after signing in the text comes back.
    page.get_by_role("button", name="Save", exact=True).click()
    fill_sign_in_form(page, "trainer@example.gov")
    expect(page.locator("h1")).to_have_text("Lesson: History")
    expect(page.locator("#lesson-draft-restored")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value("Text typed after the session ended.")
    axe_check(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Lesson saved.")
    expect(page.locator("#id_body")).to_have_value("Text typed after the session ended.")
    expect(page.locator("#lesson-draft-restored")).to_be_hidden()
    lesson = Course.objects.get(title="Intro to AI").lessons.get(key="history")
    assert lesson.body == "Text typed after the session ended."
