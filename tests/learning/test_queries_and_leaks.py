"""Bounded queries per page, and no correct answer in any quiz page before submission."""

import re

import pytest
from django.urls import reverse

from agencies.access import actor_for
from courses import services as course_services
from learning import services
from learning.content import outline
from learning.models import QuizAttempt
from learning.my_learning_reads import path_progress_rows
from tests.builders import CONTENT, build_course, finish_course, right_answers, starter_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_learner(world):
    """A learner with 8 enrollments (some complete) and a 30-lesson course in progress."""
    big = build_course(world.a_trainer, world.a, slug="big", title="Big course")
    module = big.modules.first()
    for i in range(27):
        course_services.lesson_create(
            actor=world.a_trainer,
            module=module,
            title=f"L{i}",
            key=f"l-{i}",
            body=f"Lesson {i}",
            estimated_minutes=3,
        )
    course_services.course_publish(actor=world.a_trainer, course=big)
    big_enrollment = services.enrollment_create(user=world.a_learner, course=big)
    for key in list(outline(big_enrollment.version.snapshot).lessons)[:10]:
        services.lesson_complete(enrollment=big_enrollment, lesson_key=key)
    for n in range(7):
        course = build_course(
            world.a_trainer, world.a, slug=f"c-{n}", title=f"Course {n}", publish=True
        )
        e = services.enrollment_create(
            user=world.a_learner, course=course, required=n % 2 == 0, due_on=None
        )
        if n < 3:
            finish_course(e)
    return big_enrollment


def test_pages_use_bounded_queries(world, client_for, busy_learner, django_assert_num_queries):
    client = client_for(world.a_learner)
    slug = busy_learner.course.slug
    # Warm up: the first request after sign-in saves the session, and reads the catalog of the
    # learner's agency (the suggestions and paths: courses.selectors.audience_catalog).
    client.get("/")
    # From here on, the session and the membership come from the cache, and the session is
    # renewed at most once a minute: each page costs the user and its own queries (the home
    # page: the enrollments; the suggestions from the agency's catalog kept in the process).
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200
    # + the live sessions assigned to the learner and their upcoming places (live/, one query)
    # and the agency's current AI policy (policies/); the paths' progress from the catalog kept
    with django_assert_num_queries(4):
        assert client.get(reverse("learning:my_learning")).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(reverse("learning:lesson", args=[slug, "l-20"])).status_code == 200
    with django_assert_num_queries(14):
        client.post(reverse("learning:lesson_done", args=[slug, "l-20"]))
    with django_assert_num_queries(4):
        assert client.get(reverse("learning:quiz", args=[slug, "check"])).status_code == 200
    attempt = services.attempt_start(enrollment=busy_learner, quiz_key="check")
    with django_assert_num_queries(2):
        assert client.get(reverse("learning:attempt", args=[attempt.pk])).status_code == 200
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    with django_assert_num_queries(2):
        assert client.get(reverse("learning:attempt_result", args=[attempt.pk])).status_code == 200
    code = busy_learner.user.enrollments.filter(certificate__isnull=False).first().certificate.code
    with django_assert_num_queries(2):
        assert client.get(reverse("learning:certificate", args=[code])).status_code == 200
    client.logout()
    with django_assert_num_queries(1):
        assert client.get(reverse("learning:verify", args=[code])).status_code == 200


def test_learning_path_is_complete_when_its_courses_are(world):
    from courses.services.paths import learning_path_save

    slugs = ["genai-fundamentals", "effective-prompts"]
    courses = [starter_course(s) for s in slugs]
    path = learning_path_save(
        actor=None, agency=None, slug="two-step", title="Two steps", course_slugs=slugs
    )
    actor = actor_for(world.a_learner)

    def progress():  # (title, total, done)
        return {row[0]: row for row in path_progress_rows(actor, world.a_learner.pk)}[path.title]

    assert progress() == ("Two steps", 2, 0)
    finish_course(services.enrollment_create(user=world.a_learner, course=courses[0]))
    assert progress() == ("Two steps", 2, 1)
    for course in courses[1:]:
        finish_course(services.enrollment_create(user=world.a_learner, course=course))
    assert progress() == ("Two steps", 2, 2)


STARTERS = sorted(p.name for p in CONTENT.iterdir() if (p / "course.yaml").is_file())


@pytest.mark.parametrize("slug", STARTERS)
def test_quiz_pages_never_reveal_correct_answers(world, client_for, slug):
    """Every question of every starter quiz, rendered on the attempt page: no correct marker."""
    course = starter_course(slug)
    enrollment = services.enrollment_create(user=world.a_learner, course=course)
    plan = outline(enrollment.version.snapshot)
    client = client_for(world.a_learner)
    assert plan.quizzes
    for key, quiz in plan.quizzes.items():
        for page_url in (reverse("learning:quiz", args=[slug, key]),):
            assert client.get(page_url).status_code == 200
        attempt = services.attempt_start(enrollment=enrollment, quiz_key=key)
        # Put the whole pool on the page, not just one draw.
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            drawn=[
                {"question_key": q["key"], "choice_keys": [c["key"] for c in q["choices"]]}
                for q in quiz["questions"]
            ]
        )
        page = client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
        for q in quiz["questions"]:
            assert q["prompt_html"] in page
            if q.get("explanation_html"):
                assert q["explanation_html"] not in page
            for c in q["choices"]:
                if c.get("feedback"):
                    assert c["feedback"] not in page, c["feedback"]
                page = page.replace(f">{c['text']}<", "><")
            page = page.replace(q["prompt_html"], "")
        assert not re.search(r"correct|is_right|data-answer", page, re.IGNORECASE)
        checked = re.findall(r"<input[^>]*\bchecked\b", page)
        assert checked == []
