"""A demo learner takes a course from My learning to a verified certificate, in a real browser."""

import re

import pytest
from django.conf import settings

from learning.choices import choice_token
from learning.content import correct_keys, outline, questions_by_key
from learning.models import Enrollment, QuizAttempt
from tests.e2e.conftest import nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "checking-ai-output"
TITLE = "Checking AI output and keeping a human accountable"


@pytest.fixture
def demo_world():
    from agencies.demo import seed_people
    from courses.demo import seed_courses
    from learning.demo import seed_learning

    seed_people()
    seed_courses()
    seed_learning()


def answer(page, attempt, axe_check, *, right):
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
        page.get_by_text("Your answers are saved.").wait_for()
    page.get_by_role("button", name="Review answers").click()
    page.wait_for_url(re.compile(r".*/review/$"))
    axe_check(page)
    if not right:
        assert f"1 of {len(attempt.drawn)} questions is not answered" in page.content()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(r".*/result/$"))


def test_learner_takes_a_course_to_a_verified_certificate(demo_world, page, live_server, axe_check):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("learner@demo.gov")
    page.locator("#id_password").fill(settings.ACADEMY_DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    assert "Assigned to you" in page.content() and "In progress" in page.content()
    axe_check(page)

    # From the catalog, by what a person sees: find the course, open it, enroll.
    nav(page, "Catalog")
    page.get_by_label("Search titles and summaries").fill(TITLE)
    page.get_by_role("button", name="Find courses").click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url(re.compile(rf".*/courses/{SLUG}/$"))
    axe_check(page)
    page.get_by_role("button", name=f"Enroll {TITLE}").click()
    page.wait_for_url(re.compile(r".*/lessons/.*"))
    # On a phone, a lesson's table scrolls inside its own box: the page stays 390 px wide.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("main .academy-table-wrap table").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 720})
    assert "To complete this course" in page.content()
    failed_once = False
    for _ in range(40):
        axe_check(page)
        if "/lessons/" in page.url:
            page.get_by_role("button", name=re.compile(r"^(Done, next|Mark as done)")).click()
            page.wait_for_load_state()
        elif "/quizzes/" in page.url:
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
            axe_check(page)
            attempt = QuizAttempt.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
            answer(page, attempt, axe_check, right=failed_once)
            axe_check(page)
            assert TITLE in page.content()  # the result page names the course
            if not failed_once:
                assert "Not passed" in page.content()
                failed_once = True
                page.get_by_role("link", name="Back to the quiz").click()
            else:
                assert "You scored 100%" in page.content()
                certificate = page.get_by_role("link", name="View your certificate")
                if certificate.count():
                    certificate.click()  # this quiz completed the course
                else:
                    page.get_by_role("link", name="Continue the course").click()
            page.wait_for_load_state()
        else:
            break
    enrollment = Enrollment.objects.get(user__email="learner@demo.gov", course__slug=SLUG)
    assert enrollment.is_completed and failed_once

    # The result page that completed the course led straight to the certificate.
    page.wait_for_url(re.compile(r".*/certificates/.+/$"))
    assert enrollment.certificate.code in page.content()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read().startswith(b"%PDF")

    page.locator("main a[href*='/verify/']").click()
    page.wait_for_url(re.compile(r".*/verify/.+/$"))
    assert "Valid" in page.content() and "Lee Learner" in page.content()
    axe_check(page)

    # Back in the catalog, the course says it is completed and offers a review.
    page.goto("/")
    nav(page, "Catalog")
    page.get_by_label("Search titles and summaries").fill(TITLE)
    page.get_by_role("button", name="Find courses").click()
    card = page.locator(".usa-card", has=page.get_by_role("link", name=TITLE, exact=True))
    assert card.locator(".usa-tag", has_text="Completed").count() == 1
    axe_check(page)
    card.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("link", name=f"Review {TITLE}").click()
    page.wait_for_url(re.compile(r".*/lessons/.*"))
