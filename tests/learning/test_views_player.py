"""The player and quizzes as a learner meets them (issue items 3, 4, 6, 7 and 12).

Quizzes: a review step before submitting, Enter never submits, an empty submission uses no
attempt, answers autosave as a draft and survive signing in again. Lessons: "Done, next", the
completion rule with what is left, typography. Certificates: reachable from the result page
that completes a course, and by platform admins. Percentages follow the language.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from academy.templatetags.academy_format import lesson_html, percent
from learning import services
from learning.models import LessonProgress, QuizAttempt
from tests.builders import (
    build_course,
    finish_course,
    posted_answers,
    right_answers,
    simple_course,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def _writes(captured) -> list[str]:
    """Statements that change something other than the session row."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)
        and "django_session" not in q["sql"]
    ]


def _post_answers(answers: dict, attempt) -> dict:
    return posted_answers(attempt, answers)


@pytest.fixture
def attempt(enrollment):
    return services.attempt_start(enrollment=enrollment, quiz_key="check")


# --- formatting ----------------------------------------------------------------------------


def test_percent_follows_the_language():
    with translation.override("en"):
        assert percent(100) == "100%" and percent(0) == "0%"
    with translation.override("fr"):
        assert percent(100) == "100\u00a0%"
    assert percent(None) == ""


def test_lesson_headings_sit_one_level_below_the_title_and_tables_scroll_in_a_box():
    html = '<h2 id="h-a">A</h2><p>x</p><h3>B</h3><table><tr><td>1</td></tr></table>'
    out = lesson_html(html, 2)
    assert out.startswith('<h2 id="h-a">A</h2>') and "<h3>B</h3>" in out
    assert lesson_html("<h1>T</h1><h2>U</h2>", 2) == "<h2>T</h2><h3>U</h3>"
    assert lesson_html("<h1>T</h1><h2>U</h2>", 4) == "<h4>T</h4><h5>U</h5>"
    assert re.search(
        r'<div class="academy-table-wrap" tabindex="0" role="group" aria-label="[^"]+">'
        r"<table>.*</table></div>",
        out,
    )


def test_lesson_page_uses_the_lesson_stylesheet_and_demotes_a_level_one_heading(
    world, client_for, enrollment
):
    page = client_for(world.a_learner).get(
        reverse("learning:lesson", args=[enrollment.course.slug, "what-is-ai"])
    )
    body = page.content.decode()
    assert "css/lesson.css" in body
    assert body.count("<h1") == 1  # the lesson's own "# What is AI" became an h2
    assert '<h2 id="h-what-is-ai">What is AI</h2>' in body


# --- lessons: Done, next and the completion rule -------------------------------------------


def test_done_next_is_a_post_that_marks_the_lesson_and_opens_the_next_step(
    world, client_for, enrollment
):
    client = client_for(world.a_learner)
    slug = enrollment.course.slug
    page = client.get(reverse("learning:lesson", args=[slug, "history"])).content.decode()
    done_url = reverse("learning:lesson_done", args=[slug, "history"])
    assert f'<form method="post" action="{done_url}" id="lesson-done-form"' in page
    assert "Done, next: Prompts" in page
    response = client.post(done_url)
    assert response.url == reverse("learning:lesson", args=[slug, "prompts"])
    assert LessonProgress.objects.filter(enrollment=enrollment, lesson_key="history").exists()
    # A lesson already done offers a plain link onwards.
    page = client.get(reverse("learning:lesson", args=[slug, "history"])).content.decode()
    assert 'rel="next"' in page and "Done, next:" not in page


def test_player_shows_the_completion_rule_and_what_is_left_with_links(
    world, client_for, enrollment
):
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    client = client_for(world.a_learner)
    slug = enrollment.course.slug
    page = client.get(reverse("learning:lesson", args=[slug, "history"])).content.decode()
    box = page[page.index("To complete this course") :]
    assert "Mark every lesson as done and pass every quiz" in box
    assert "2 lessons not marked as done" in box and "1 quiz not passed" in box
    assert f'href="{reverse("learning:lesson", args=[slug, "prompts"])}"' in box
    assert f'href="{reverse("learning:quiz", args=[slug, "check"])}"' in box
    assert f'href="{reverse("learning:lesson", args=[slug, "what-is-ai"])}"' not in box


def test_last_lesson_done_leads_to_the_certificate(world, client_for):
    course = simple_course(world.a_trainer, world.a, slug="short", title="Short")
    enrollment = services.enrollment_create(user=world.a_learner, course=course)
    services.lesson_complete(enrollment=enrollment, lesson_key="one")
    client = client_for(world.a_learner)
    page = client.get(reverse("learning:lesson", args=["short", "two"])).content.decode()
    assert "Mark as done" in page  # the last step: nothing next
    response = client.post(reverse("learning:lesson_done", args=["short", "two"]))
    enrollment.refresh_from_db()
    assert response.url == reverse("learning:certificate", args=[enrollment.certificate.code])


# --- quizzes: review step, Enter, empty submissions -----------------------------------------


def test_attempt_page_names_the_course_and_only_button_reviews(world, client_for, attempt):
    page = client_for(world.a_learner).get(reverse("learning:attempt", args=[attempt.pk]))
    body = page.content.decode()
    review = reverse("learning:attempt_review", args=[attempt.pk])
    assert f'action="{review}"' in body
    assert reverse("learning:attempt_submit", args=[attempt.pk]) not in body
    # Enter on a choice submits the form through its default (first) button: Review answers.
    form = body[
        body.index('id="attempt-form"') : body.index("</form>", body.index('id="attempt-form"'))
    ]
    assert re.findall(r"<button[^>]*>([^<]+)<", form) == ["Review answers"]
    assert "Intro to AI" in body and reverse("learning:resume", args=["intro-ai"]) in body
    assert "js/quiz-attempt.js" in body and "Question 1 of 2" in body


def test_review_keeps_the_answers_and_lists_the_unanswered_questions(
    world, client_for, attempt, django_assert_num_queries
):
    client = client_for(world.a_learner)
    first, second = (d["question_key"] for d in attempt.drawn)
    answers = {first: right_answers(attempt)[first]}
    response = client.post(
        reverse("learning:attempt_review", args=[attempt.pk]), _post_answers(answers, attempt)
    )
    assert response.url == reverse("learning:attempt_review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers[first] == answers[first]
    assert attempt.answers[second] == []
    with CaptureQueriesContext(connection) as captured, django_assert_num_queries(2):
        body = client.get(response.url).content.decode()
    assert _writes(captured) == []
    assert "1 of 2 questions is not answered" in body
    assert f"#question-{second}" in body and "Answer question 2" in body
    assert "Submit answers" in body and "Back to the questions" in body
    # The attempt page shows the saved answers again.
    page = client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
    assert len(re.findall(r"<input[^>]*\bchecked\b", page)) == len(answers[first])


def test_submit_from_the_review_grades_the_saved_draft(world, client_for, attempt):
    client = client_for(world.a_learner)
    client.post(
        reverse("learning:attempt_review", args=[attempt.pk]),
        _post_answers(wrong_answers(attempt), attempt),
    )
    response = client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    assert response.url == reverse("learning:attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.answers == {
        k: sorted(v) for k, v in wrong_answers(attempt).items()
    }


def test_an_empty_submission_is_refused_and_uses_no_attempt(world, client_for, attempt):
    client = client_for(world.a_learner)
    review = client.get(reverse("learning:attempt_review", args=[attempt.pk])).content.decode()
    assert "No question answered yet" in review and "Submit answers" not in review
    response = client.post(reverse("learning:attempt_submit", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:attempt", args=[attempt.pk])
    assert "not answered any question" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.score is None
    slug = attempt.enrollment.course.slug
    quiz = client.get(reverse("learning:quiz", args=[slug, "check"])).content.decode()
    assert "Resume your attempt" in quiz


def test_get_on_submit_goes_back_to_the_attempt_not_405(world, client_for, attempt):
    client = client_for(world.a_learner)
    url = reverse("learning:attempt_submit", args=[attempt.pk])
    assert client.get(url).url == reverse("learning:attempt", args=[attempt.pk])
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:attempt_result", args=[attempt.pk])


# --- quizzes: drafts and signing in again ----------------------------------------------------


def test_autosave_keeps_a_draft_and_answers_json(world, client, client_for, attempt):
    url = reverse("learning:attempt_draft", args=[attempt.pk])
    first = attempt.drawn[0]["question_key"]
    answers = _post_answers({first: right_answers(attempt)[first]}, attempt)
    assert client.post(url, answers).status_code == 401  # signed out: nothing kept
    learner = client_for(world.a_learner)
    response = learner.post(url, answers, HTTP_ACCEPT="application/json")
    assert response.json() == {"saved": True, "answered": 1}
    attempt.refresh_from_db()
    assert attempt.answers[first] == right_answers(attempt)[first]
    assert learner.post(url, {f"q-{first}": "c9"}).status_code == 409
    # A raw choice key is no more accepted than a made-up one: the page never shows keys.
    assert learner.post(url, {f"q-{first}": right_answers(attempt)[first]}).status_code == 409
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert learner.post(url, answers).status_code == 409


def test_other_learner_cannot_save_or_review_a_draft(world, client_for, attempt):
    client = client_for(world.a_ops_learner)
    data = _post_answers(right_answers(attempt), attempt)
    assert (
        client.post(reverse("learning:attempt_draft", args=[attempt.pk]), data).status_code == 404
    )
    assert client.get(reverse("learning:attempt_review", args=[attempt.pk])).status_code == 404
    assert (
        client.post(reverse("learning:attempt_review", args=[attempt.pk]), data).status_code == 404
    )
    attempt.refresh_from_db()
    assert attempt.answers == {}
    other_agency = client_for(world.b_learner)
    assert (
        other_agency.get(reverse("learning:attempt_review", args=[attempt.pk])).status_code == 404
    )


def test_answers_posted_after_the_session_ended_come_back_after_signing_in(world, client, attempt):
    answers = right_answers(attempt)
    response = client.post(
        reverse("learning:attempt_submit", args=[attempt.pk]), _post_answers(answers, attempt)
    )
    attempt_url = reverse("learning:attempt", args=[attempt.pk])
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert response.url.endswith(f"?next={attempt_url}")
    attempt.refresh_from_db()
    assert attempt.is_open
    client.force_login(world.a_learner)  # signing in keeps the session's data
    page = client.get(attempt_url).content.decode()
    assert "before signing in again are filled in below" in page
    checked = re.findall(r'<input[^>]*value="([^"]+)"[^>]*\bchecked\b', page)
    posted = _post_answers(answers, attempt)
    assert sorted(checked) == sorted(token for tokens in posted.values() for token in tokens)
    # Reviewing keeps them on the attempt and the session forgets them.
    client.post(
        reverse("learning:attempt_review", args=[attempt.pk]), _post_answers(answers, attempt)
    )
    client.post(reverse("learning:attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.score == 100
    assert "learning_pending_answers" not in client.session


def test_pending_answers_are_offered_only_to_the_owner_of_the_attempt(world, client, attempt):
    client.post(
        reverse("learning:attempt_review", args=[attempt.pk]),
        _post_answers(right_answers(attempt), attempt),
    )
    client.force_login(world.a_ops_learner)
    assert client.get(reverse("learning:attempt", args=[attempt.pk])).status_code == 404


# --- results and certificates ---------------------------------------------------------------


def test_result_that_completes_the_course_links_to_the_certificate(
    world, client_for, enrollment, django_assert_num_queries
):
    for key in ("what-is-ai", "history", "prompts"):
        services.lesson_complete(enrollment=enrollment, lesson_key=key)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    enrollment.refresh_from_db()
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("learning:attempt_result", args=[attempt.pk]))
    with django_assert_num_queries(3):
        body = client.get(reverse("learning:attempt_result", args=[attempt.pk])).content.decode()
    certificate_url = reverse("learning:certificate", args=[enrollment.certificate.code])
    assert "View your certificate" in body and certificate_url in body
    assert "You have completed “Intro to AI”" in body and "You scored 100%." in body
    assert reverse("learning:resume", args=["intro-ai"]) in body  # names the course, links it


def test_result_in_french_writes_percentages_with_a_no_break_space(world, client_for, attempt):
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    client = client_for(world.a_learner)
    client.cookies["django_language"] = "fr"
    body = client.get(reverse("learning:attempt_result", args=[attempt.pk])).content.decode()
    assert "100\u00a0%" in body and "100%" not in body and "100 %" not in body


def test_platform_admin_opens_any_listed_certificate(world, client_for, enrollment):
    code_a = finish_course(enrollment).certificate.code
    course_b = build_course(world.b_admin, world.b, slug="b-course", title="B course", publish=True)
    code_b = finish_course(
        services.enrollment_create(user=world.b_learner, course=course_b)
    ).certificate.code
    admin = client_for(world.platform_admin)
    listing = admin.get(reverse("learning:certificate_list")).content.decode()
    for code in (code_a, code_b):
        assert reverse("learning:certificate", args=[code]) in listing
        assert admin.get(reverse("learning:certificate", args=[code])).status_code == 200
        assert admin.get(reverse("learning:certificate_pdf", args=[code])).status_code == 200
    agency_admin = client_for(world.a_admin)
    assert agency_admin.get(reverse("learning:certificate", args=[code_a])).status_code == 200
    assert agency_admin.get(reverse("learning:certificate", args=[code_b])).status_code == 404


def test_draft_is_never_a_counted_attempt(world, client_for, attempt):
    client_for(world.a_learner).post(
        reverse("learning:attempt_draft", args=[attempt.pk]),
        _post_answers(right_answers(attempt), attempt),
    )
    assert QuizAttempt.objects.filter(submitted_at__isnull=False).count() == 0


def test_player_and_studio_preview_share_the_lesson_partial_and_stylesheet(world, client_for):
    from courses import services as course_services

    course = build_course(world.a_trainer, world.a, slug="styled", title="Styled")
    module = course.modules.first()
    course_services.lesson_create(
        actor=world.a_trainer,
        module=module,
        title="Callouts",
        key="callouts",
        body='## Part\n\n!!! warning "Careful"\n    Check it.\n\n| a | b |\n|---|---|\n| 1 | 2 |',
        estimated_minutes=3,
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    services.enrollment_create(user=world.a_learner, course=course)
    player = client_for(world.a_learner).get(
        reverse("learning:lesson", args=["styled", "callouts"])
    )
    preview = client_for(world.a_trainer).get(reverse("studio:course_preview", args=[course.pk]))
    for body, level in ((player.content.decode(), 2), (preview.content.decode(), 4)):
        assert "css/lesson.css" in body
        assert '<div class="academy-lesson-body usa-prose">' in body
        assert f'<h{level} id="h-part">Part</h{level}>' in body
        assert '<div class="admonition warning">' in body
        assert '<div class="academy-table-wrap" tabindex="0" role="group"' in body


def test_the_attempt_page_shows_opaque_values_that_change_with_every_attempt(
    world, client_for, attempt
):
    """Nothing in the page reveals the choice keys (c1, c2, ... in authoring order), and the
    same choice has another value in the next attempt (issue 11, item 7)."""
    client = client_for(world.a_learner)

    def values(an_attempt):
        page = client.get(reverse("learning:attempt", args=[an_attempt.pk])).content.decode()
        return re.findall(r'<input[^>]*name="q-[^"]+"[^>]*value="([^"]+)"', page), page

    first, page = values(attempt)
    offered = [key for d in attempt.drawn for key in d["choice_keys"]]
    assert len(set(first)) == len(offered) and not set(offered) & set(first)
    assert not re.search(r"""["'\-]c\d+["'\s>]""", page)  # no key in any attribute either
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    again = services.attempt_start(enrollment=attempt.enrollment, quiz_key=attempt.quiz_key)
    second, _ = values(again)
    offered_again = [key for d in again.drawn for key in d["choice_keys"]]
    assert len(set(second)) == len(offered_again) and not set(first) & set(second)


def test_objectives_head_the_lesson_in_the_player_and_the_studio_preview_in_french_too(
    world, client_for
):
    from courses import services as course_services

    course = build_course(world.a_trainer, world.a, slug="aims", title="Aims")
    course_services.lesson_create(
        actor=world.a_trainer,
        module=course.modules.first(),
        title="Records",
        key="records",
        body="## First part\n\nText.",
        estimated_minutes=3,
        objectives=["Tell a record from a non-record", "Find the schedule that applies"],
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    services.enrollment_create(user=world.a_learner, course=course)
    url = reverse("learning:lesson", args=["aims", "records"])
    player = client_for(world.a_learner).get(url).content.decode()
    preview = client_for(world.a_trainer).get(reverse("studio:course_preview", args=[course.pk]))
    for body, level in ((player, 2), (preview.content.decode(), 4)):
        heading = f'<h{level} id="lesson-objectives-records" class="academy-objectives__title">'
        assert heading + "In this lesson you will:" in body
        assert "<li>Tell a record from a non-record</li>" in body
        # above the lesson's own text
        assert body.index(heading) < body.index(f'<h{level} id="h-first-part">')
    french = client_for(world.a_learner)
    french.cookies["django_language"] = "fr"
    assert "Dans cette leçon, vous allez" in french.get(url).content.decode()
