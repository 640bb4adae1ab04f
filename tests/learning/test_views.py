import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import services as course_services
from learning import services
from learning.models import Certificate, Enrollment, LessonProgress, QuizAttempt
from tests.builders import (
    build_course,
    finish_course,
    posted_answers,
    right_answers,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def lesson_url(slug, key):
    return reverse("learning:lesson", args=[slug, key])


def test_anonymous_is_sent_to_login(client, course):
    response = client.get(reverse("learning:my_learning"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_enroll_then_continue_opens_first_lesson(world, client_for, course):
    client = client_for(world.a_learner)
    page = client.get(reverse("learning:course", args=[course.slug]))
    assert page.status_code == 200 and b"Start this course" in page.content
    response = client.post(reverse("learning:enroll", args=[course.slug]))
    assert response.url == reverse("learning:resume", args=[course.slug])
    assert client.get(response.url).url == lesson_url(course.slug, "what-is-ai")


def test_continue_resumes_at_last_lesson_opened(world, client_for, enrollment):
    client = client_for(world.a_learner)
    client.get(lesson_url(enrollment.course.slug, "prompts"))
    response = client.get(reverse("learning:resume", args=[enrollment.course.slug]))
    assert response.url == lesson_url(enrollment.course.slug, "prompts")


def test_continue_moves_on_once_the_last_lesson_opened_is_done(world, client_for, enrollment):
    """After a module's quiz, "Continue the course" goes to what is left (here the quiz), not
    back to the lesson opened before it."""
    from learning.content import outline
    from learning.registries import step_url

    slug = enrollment.course.slug
    plan = outline(enrollment.version.snapshot)
    client = client_for(world.a_learner)
    for key in plan.lessons:
        client.get(lesson_url(slug, key))
        client.post(reverse("learning:lesson_done", args=[slug, key]))
    response = client.get(reverse("learning:resume", args=[slug]))
    quiz = next(step for step in plan.steps if step["kind"] == "quiz")
    assert response.url == step_url(slug, quiz)


def test_lesson_page_shows_body_navigation_and_mark_done(world, client_for, enrollment):
    client = client_for(world.a_learner)
    page = client.get(lesson_url(enrollment.course.slug, "history")).content.decode()
    assert "Some <strong>history</strong>." in page
    assert re.search(r'aria-current="page">History', page)
    assert "Done, next: Prompts" in page and "Estimated time: 5 minutes" in page
    assert 'rel="prev"' in page and 'rel="next"' not in page  # "next" is the Done, next POST


def test_mark_done_records_once_and_moves_on(world, client_for, enrollment):
    client = client_for(world.a_learner)
    url = reverse("learning:lesson_done", args=[enrollment.course.slug, "what-is-ai"])
    response = client.post(url)
    client.post(url)
    assert response.url == lesson_url(enrollment.course.slug, "history")
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
    assert client.get(url).status_code == 405


def test_other_agency_gets_404_for_course_player_and_enroll(world, client_for, enrollment):
    client = client_for(world.b_learner)
    slug = enrollment.course.slug
    assert client.get(lesson_url(slug, "what-is-ai")).status_code == 404
    assert client.get(reverse("learning:course", args=[slug])).status_code == 404
    assert client.post(reverse("learning:enroll", args=[slug])).status_code == 404
    assert client.post(reverse("learning:lesson_done", args=[slug, "history"])).status_code == 404
    assert not Enrollment.objects.filter(user=world.b_learner).exists()


def test_learner_cannot_see_or_submit_another_learners_attempt(world, client_for, enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    client = client_for(world.a_ops_learner)
    assert client.get(reverse("learning:attempt", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("learning:attempt_result", args=[attempt.pk])).status_code == 404
    response = client.post(
        reverse("learning:attempt_submit", args=[attempt.pk]),
        posted_answers(attempt, right_answers(attempt)),
    )
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_quiz_flow_through_pages(world, client_for, enrollment):
    client = client_for(world.a_learner)
    slug = enrollment.course.slug
    assert b"Start the quiz" in client.get(reverse("learning:quiz", args=[slug, "check"])).content
    response = client.post(reverse("learning:quiz_start", args=[slug, "check"]))
    attempt = QuizAttempt.objects.get()
    assert response.url == reverse("learning:attempt", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert page.count("<fieldset") == 2 and "<legend" in page
    data = posted_answers(attempt, wrong_answers(attempt))
    response = client.post(reverse("learning:attempt_submit", args=[attempt.pk]), data)
    assert response.url == reverse("learning:attempt_result", args=[attempt.pk])
    result = client.get(response.url).content.decode()
    assert "Not passed" in result and "You scored 0%" in result
    assert "Correct answer" in result  # show_answers defaults to after_attempt
    # A replayed submission changes nothing.
    client.post(
        reverse("learning:attempt_submit", args=[attempt.pk]),
        posted_answers(attempt, right_answers(attempt)),
    )
    attempt.refresh_from_db()
    assert attempt.score == 0


def test_tampered_choice_is_refused_with_message(world, client_for, enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    client = client_for(world.a_learner)
    data = {f"q-{attempt.drawn[0]['question_key']}": "not-a-choice"}
    response = client.post(reverse("learning:attempt_submit", args=[attempt.pk]), data, follow=True)
    assert b"does not belong to its question" in response.content
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_never_policy_hides_answers_after_submission(world, client_for, enrollment):
    from courses.models import Quiz

    Quiz.objects.filter(key="check").update(show_answers="never")
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    page = (
        client_for(world.a_learner)
        .get(reverse("learning:attempt_result", args=[attempt.pk]))
        .content.decode()
    )
    assert "You scored 0%" in page and "Correct answer" not in page


def test_after_pass_policy_shows_answers_only_once_passed(world, client_for, enrollment):
    from courses.models import Quiz

    Quiz.objects.filter(key="check").update(show_answers="after_pass")
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    client = client_for(world.a_learner)
    failed = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=failed, answers=wrong_answers(failed))
    url = reverse("learning:attempt_result", args=[failed.pk])
    assert "Correct answer" not in client.get(url).content.decode()
    passed = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=passed, answers=right_answers(passed))
    assert (
        "Correct answer"
        in client.get(reverse("learning:attempt_result", args=[passed.pk])).content.decode()
    )


def test_certificate_page_pdf_and_public_verify(world, client, client_for, enrollment):
    certificate = finish_course(enrollment).certificate
    learner = client_for(world.a_learner)
    assert (
        certificate.code.encode()
        in learner.get(reverse("learning:certificate", args=[certificate.code])).content
    )
    pdf = learner.get(reverse("learning:certificate_pdf", args=[certificate.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    learner.logout()
    page = client.get(reverse("learning:verify", args=[certificate.code])).content.decode()
    assert "Valid" in page and world.a_learner.full_name in page and "Agency A" in page
    assert world.a_learner.email not in page
    assert client.get(reverse("learning:verify", args=["nope-" * 5])).status_code == 404


def test_other_agency_admin_gets_404_for_certificate(world, client_for, enrollment):
    code = finish_course(enrollment).certificate.code
    client = client_for(world.b_admin)
    assert client.get(reverse("learning:certificate", args=[code])).status_code == 404
    assert client.get(reverse("learning:certificate_pdf", args=[code])).status_code == 404
    assert (
        client.post(
            reverse("learning:certificate_revoke", args=[code]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client_for(world.a_ops_learner)
        .get(reverse("learning:certificate", args=[code]))
        .status_code
        == 404
    )
    assert Certificate.objects.get().revoked_at is None


def test_agency_admin_revokes_and_verify_page_says_so(world, client, client_for, enrollment):
    code = finish_course(enrollment).certificate.code
    admin = client_for(world.a_admin)
    url = reverse("learning:certificate_revoke", args=[code])
    assert b"This field is required" in admin.post(url, {"reason": ""}).content
    assert admin.post(url, {"reason": "Shared account"}).status_code == 302
    assert code.encode() in admin.get(reverse("learning:certificate_list")).content
    admin.logout()
    page = client.get(reverse("learning:verify", args=[code])).content.decode()
    assert "Revoked" in page and "Shared account" not in page


def test_home_is_my_learning_with_sections(world, client_for, enrollment):
    other = build_course(
        world.a_trainer, world.a, slug="second", title="Second course", publish=True
    )
    done = services.enrollment_create(user=world.a_learner, course=other)
    finish_course(done)
    third = build_course(world.a_trainer, world.a, slug="third", title="Third course", publish=True)
    services.enrollment_create(
        user=world.a_learner, course=third, required=True, due_on="2000-01-01"
    )
    page = client_for(world.a_learner).get("/").content.decode()
    assert page.index("Assigned to you") < page.index("In progress") < page.index("Completed")
    assert "Overdue" in page and "View certificate" in page and "0% complete" in page


def test_manager_home_keeps_management_cards(world, client_for, course):
    page = client_for(world.a_manager).get("/").content.decode()
    assert "My learning" in page and "Manage people" in page


def _course_done_at_end(world, *, at_end):
    course = build_course(world.a_trainer, world.a, slug="at-end", complete_lessons_at_end=at_end)
    course_services.course_publish(actor=world.a_trainer, course=course)
    return services.enrollment_create(user=world.a_learner, course=course)


@pytest.mark.parametrize("at_end", [True, False])
def test_lesson_page_marks_done_at_end_only_when_the_course_says_so(world, client_for, at_end):
    enrollment = _course_done_at_end(world, at_end=at_end)
    page = client_for(world.a_learner).get(lesson_url("at-end", "what-is-ai"))
    assert (b"data-complete-at-end" in page.content) is at_end
    assert (b"js/lesson-end.js" in page.content) is at_end
    assert b"Done, next:" in page.content  # the button always works without JavaScript
    assert enrollment.lessons.count() == 0  # opening the page alone records nothing


def test_reaching_the_end_records_the_lesson_without_visiting_the_next(world, client_for):
    enrollment = _course_done_at_end(world, at_end=True)
    client = client_for(world.a_learner)
    client.get(lesson_url("at-end", "what-is-ai"))
    response = client.post(
        reverse("learning:lesson_done", args=["at-end", "what-is-ai"]),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json()["done"] is True
    enrollment.refresh_from_db()
    assert list(enrollment.lessons.values_list("lesson_key", flat=True)) == ["what-is-ai"]
    assert enrollment.last_lesson_key == "what-is-ai"


# The course page and catalog cards: Enroll / Start / Continue / Review by the learner's state.


def _course_page(client, course):
    return client.get(reverse("courses:course_detail", args=[course.slug])).content.decode()


def _catalog_card(client, course) -> str:
    body = client.get(reverse("courses:catalog")).content.decode()
    start = body.index(reverse("courses:course_detail", args=[course.slug]))
    return body[start : body.index("</li>", body.index("usa-card__body", start))]


def test_course_page_enroll_button_posts_enrolls_and_opens_first_lesson(world, client_for, course):
    client = client_for(world.a_learner)
    body = _course_page(client, course)
    enroll_url = reverse("learning:enroll", args=[course.slug])
    assert f'<form method="post" action="{enroll_url}">' in body
    assert "csrfmiddlewaretoken" in body and ">Enroll<" in body
    assert "usa-tag" not in _catalog_card(client, course)

    response = client.post(enroll_url, follow=True)
    assert Enrollment.objects.filter(user=world.a_learner, course=course).exists()
    assert response.redirect_chain[-1][0] == lesson_url(course.slug, "what-is-ai")


def test_enrolled_learner_sees_start_and_enrolled_tag(world, client_for, enrollment):
    client = client_for(world.a_learner)
    body = _course_page(client, enrollment.course)
    resume = reverse("learning:resume", args=[enrollment.course.slug])
    assert f'<a class="usa-button usa-button--big" href="{resume}">Start<' in body
    assert ">Enroll<" not in body
    assert '<span class="usa-tag">Enrolled</span>' in _catalog_card(client, enrollment.course)


def test_learner_in_progress_sees_continue_and_in_progress_tag(world, client_for, enrollment):
    client = client_for(world.a_learner)
    client.get(lesson_url(enrollment.course.slug, "prompts"))
    body = _course_page(client, enrollment.course)
    resume = reverse("learning:resume", args=[enrollment.course.slug])
    assert f'href="{resume}">Continue<' in body
    assert '<span class="usa-tag">In progress</span>' in _catalog_card(client, enrollment.course)
    assert client.get(resume).url == lesson_url(enrollment.course.slug, "prompts")


def test_learner_who_completed_sees_review_and_completed_tag(world, client_for, enrollment):
    finish_course(enrollment)
    client = client_for(world.a_learner)
    body = _course_page(client, enrollment.course)
    resume = reverse("learning:resume", args=[enrollment.course.slug])
    assert f'href="{resume}">Review<' in body
    assert '<span class="usa-tag">Completed</span>' in _catalog_card(client, enrollment.course)
    assert client.get(resume).url == lesson_url(enrollment.course.slug, "what-is-ai")


def test_course_page_and_catalog_in_french(world, client_for, enrollment):
    client = client_for(world.a_learner)
    client.cookies["django_language"] = "fr"
    body = _course_page(client, enrollment.course)
    assert ">Commencer<" in body
    assert '<span class="usa-tag">Inscrit</span>' in _catalog_card(client, enrollment.course)


def test_other_agency_learner_cannot_enroll_in_course_they_cannot_see(world, client_for, course):
    client = client_for(world.b_learner)
    assert client.get(reverse("courses:course_detail", args=[course.slug])).status_code == 404
    response = client.post(reverse("learning:enroll", args=[course.slug]))
    assert response.status_code == 404
    assert not Enrollment.objects.filter(user=world.b_learner).exists()


def test_catalog_states_cost_one_query_whatever_the_number_of_enrollments(
    world, client_for, django_assert_num_queries
):
    courses = [
        build_course(world.a_trainer, world.a, slug=f"c-{n}", title=f"C {n}", publish=True)
        for n in range(4)
    ]
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("courses:catalog"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("courses:catalog"))
    for c in courses:
        services.enrollment_create(user=world.a_learner, course=c)
    finish_course(Enrollment.objects.get(user=world.a_learner, course=courses[0]))
    with django_assert_num_queries(len(before)):
        body = client.get(reverse("courses:catalog")).content.decode()
    assert body.count('<span class="usa-tag">Enrolled</span>') == 3
    assert body.count('<span class="usa-tag">Completed</span>') == 1


def test_certificate_page_holds_everything_its_pdf_says(world, client_for, enrollment):
    """The PDF is not tagged (reportlab): the certificate page beside its link is the
    accessible equivalent, so every fact the PDF draws is on the page too (issue 10, item 12)."""
    from django.utils import formats

    from tests.learning.test_record import _pdf_text

    certificate = finish_course(enrollment).certificate
    learner = client_for(world.a_learner)
    page = learner.get(reverse("learning:certificate", args=[certificate.code])).content.decode()
    pdf = _pdf_text(
        learner.get(reverse("learning:certificate_pdf", args=[certificate.code])).content
    )
    verify_url = reverse("learning:verify", args=[certificate.code])
    facts = [
        certificate.learner_name,
        certificate.course_title,
        formats.date_format(certificate.issued_at, "DATE_FORMAT"),
        certificate.agency_name,
        certificate.code,
    ]
    for fact in facts:
        assert fact in page, fact
        assert fact in pdf, fact
    assert verify_url in page and verify_url in pdf
    assert reverse("learning:certificate_pdf", args=[certificate.code]) in page
