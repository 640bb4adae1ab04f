"""Learning fixtures: published courses built through the course services, and answer helpers."""

from pathlib import Path

import pytest
from django.conf import settings

from courses.bundles import bundle_import
from learning import services
from learning.content import correct_keys, outline, questions_by_key
from tests.courses.conftest import build_course

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def course(world):
    """Agency A's published course: 3 lessons, one quiz (draws 2 of 3, pass mark 60)."""
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def enrollment(world, course):
    return services.enrollment_create(user=world.a_learner, course=course)


def starter_course(slug="genai-fundamentals"):
    return bundle_import(CONTENT / slug, actor=None, agency=None, publish=True)


def quiz_of(attempt):
    return outline(attempt.version.snapshot).quizzes[attempt.quiz_key]


def right_answers(attempt) -> dict:
    questions = questions_by_key(quiz_of(attempt))
    return {d["question_key"]: sorted(correct_keys(questions[d["question_key"]]))
            for d in attempt.drawn}


def wrong_answers(attempt) -> dict:
    questions = questions_by_key(quiz_of(attempt))
    out = {}
    for d in attempt.drawn:
        right = correct_keys(questions[d["question_key"]])
        out[d["question_key"]] = [next(k for k in d["choice_keys"] if k not in right)]
    return out


def finish_course(enrollment):
    """Complete every lesson and pass every quiz through the services."""
    plan = outline(enrollment.version.snapshot)
    for key in plan.lessons:
        services.lesson_complete(enrollment=enrollment, lesson_key=key)
    for key in plan.quizzes:
        attempt = services.attempt_start(enrollment=enrollment, quiz_key=key)
        services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    enrollment.refresh_from_db()
    return enrollment
