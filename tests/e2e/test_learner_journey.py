"""A demo learner takes a course from My learning to a verified certificate, in a real browser."""

import re

import pytest
from django.conf import settings

from learning.choices import choice_token
from learning.content import correct_keys, outline, questions_by_key
from learning.models import Enrollment, QuizAttempt
from tests.e2e.conftest import both_languages, both_widths, nav, sign_in, switch_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A course of lessons and quizzes only, whose first lesson has a table: "checking-ai-output"
# now ends its second module with a practice task that a reviewer must pass
# (tests/e2e/test_practice_journey.py walks that).
SLUG = "records-transparency-disclosure"
TITLE = "Records, transparency and disclosure obligations"


@pytest.fixture
def demo_world():
    from agencies.demo import seed_people
    from courses.demo import seed_courses
    from learning.demo import seed_learning

    seed_people()
    seed_courses()
    seed_learning()


def answer(page, attempt, axe_check, t, *, right):
    """Answer on the attempt page, then review and submit. The failing try leaves the last
    question unanswered and presses Enter on a choice first: neither submits anything."""
    quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
    questions = questions_by_key(quiz)
    drawn = attempt.drawn if right else attempt.drawn[:-1]
    for d in drawn:
        correct = correct_keys(questions[d["question_key"]])
        keys = sorted(correct) if right else [next(k for k in d["choice_keys"] if k not in correct)]
        for key in keys:
            token = choice_token(attempt.pk, d["question_key"], key)
            page.locator(f"label[for='a{attempt.pk}-{d['question_key']}-{token}']").click()
    if not right:
        first = drawn[0]["question_key"]
        wrong = next(k for k in drawn[0]["choice_keys"] if k not in correct_keys(questions[first]))
        page.locator(f"#a{attempt.pk}-{first}-{choice_token(attempt.pk, first, wrong)}").press(
            "Enter"
        )
        assert re.search(r"/attempts/\d+/$", page.url)  # Enter on a choice sent nothing
        page.get_by_text(t("Your answers are saved.")).wait_for()
    page.get_by_role("button", name=t("Review answers")).click()
    page.wait_for_url(re.compile(r".*/review/$"))
    axe_check(page)
    if not right:
        total = len(attempt.drawn)
        missing = t(
            "%(counter)s of %(total)s questions is not answered",
            "%(counter)s of %(total)s questions are not answered",
            1,
            counter=1,
            total=total,
        )
        assert missing in page.locator("main").text_content()
    page.get_by_role("button", name=t("Submit answers")).click()
    page.wait_for_url(re.compile(r".*/result/$"))


def words(text):
    """A pattern for `text` in an accessible name, where any run of spaces (French puts a
    no-break space before a colon) is one ordinary space."""
    return r"\s+".join(re.escape(word) for word in text.split())


def fits_the_screen(page):
    """Nothing makes the page scroll sideways (on a phone, a lesson's table scrolls in its box)."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@both_widths
@both_languages
def test_learner_takes_a_course_to_a_verified_certificate(
    demo_world, page, live_server, axe_check, t, language
):
    page.goto("/")
    if language == "fr":  # the header's language switcher, before signing in
        switch_language(page, "Français")
        assert page.locator("html").get_attribute("lang") == "fr"
    sign_in(page, "learner@demo.gov", settings.ACADEMY_DEMO_PASSWORD, axe_check=axe_check, t=t)
    main = page.locator("main")
    assert t("Assigned to you") in main.inner_text() and t("In progress") in main.inner_text()
    axe_check(page)

    # From the catalog, by what a person sees: find the course, open it, enroll.
    nav(page, t("Catalog"))
    axe_check(page)
    page.get_by_label(t("Search titles and summaries")).fill(TITLE)
    page.get_by_role("button", name=t("Find courses")).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url(re.compile(rf".*/courses/{SLUG}/$"))
    axe_check(page)
    page.get_by_role("button", name=f"{t('Enroll')} {TITLE}").click()
    page.wait_for_url(re.compile(r".*/lessons/.*"))
    assert page.locator("main .academy-table-wrap table").count() >= 1
    assert t("To complete this course") in page.locator("body").text_content()
    done = re.compile(rf"^({words(t('Done, next:'))}|{words(t('Mark as done'))})")
    start = re.compile(rf"^({words(t('Start the quiz'))}|{words(t('Try again'))})$")
    failed_once = False
    for _ in range(40):
        axe_check(page)
        fits_the_screen(page)
        if "/lessons/" in page.url:
            page.get_by_role("button", name=done).click()
            page.wait_for_load_state()
        elif "/quizzes/" in page.url:
            page.get_by_role("button", name=start).click()
            page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
            axe_check(page)
            attempt = QuizAttempt.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
            answer(page, attempt, axe_check, t, right=failed_once)
            axe_check(page)
            assert TITLE in page.content()  # the result page names the course
            if not failed_once:
                assert t("Not passed") in main.inner_text()
                failed_once = True
                page.get_by_role("link", name=t("Back to the quiz")).click()
            else:
                assert t("Passed") in main.inner_text()
                certificate = page.get_by_role("link", name=t("View your certificate"))
                if certificate.count():
                    certificate.click()  # this quiz completed the course
                else:
                    page.get_by_role("link", name=t("Continue the course")).click()
            page.wait_for_load_state()
        else:
            break
    enrollment = Enrollment.objects.get(user__email="learner@demo.gov", course__slug=SLUG)
    assert enrollment.is_completed and failed_once

    # The result page that completed the course led straight to the certificate.
    page.wait_for_url(re.compile(r".*/certificates/.+/$"))
    assert enrollment.certificate.code in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download PDF")).click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read().startswith(b"%PDF")

    page.locator("main a[href*='/verify/']").click()
    page.wait_for_url(re.compile(r".*/verify/.+/$"))
    assert t("Valid") in main.inner_text() and "Lee Learner" in main.inner_text()
    axe_check(page)

    # Back in the catalog, the course says it is completed and offers a review.
    nav(page, t("Catalog"))
    page.get_by_label(t("Search titles and summaries")).fill(TITLE)
    page.get_by_role("button", name=t("Find courses")).click()
    card = page.locator(".usa-card", has=page.get_by_role("link", name=TITLE, exact=True))
    assert card.locator(".usa-tag", has_text=t("Completed")).count() == 1
    axe_check(page)
    card.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("link", name=f"{t('Review')} {TITLE}").click()
    page.wait_for_url(re.compile(r".*/lessons/.*"))
    axe_check(page)
