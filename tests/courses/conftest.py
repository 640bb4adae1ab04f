"""Course fixtures: a small valid course built through the services."""

from pathlib import Path

import pytest

from courses import services
from courses.models import QuestionType

BUNDLES = Path(__file__).parent / "bundles"


def build_course(actor, agency, *, slug="intro-ai", title="Intro to AI", publish=False, **kw):
    """A publishable course: two modules, three lessons, a module quiz with three questions."""
    course = services.course_create(actor=actor, agency=agency, title=title, slug=slug,
                                    summary="What AI is, for everyone.", level="beginner",
                                    estimated_minutes=30, topics=["ai-basics"],
                                    outcomes=["Explain AI"], **kw)
    first = services.module_create(actor=actor, course=course, title="Basics")
    second = services.module_create(actor=actor, course=course, title="Practice")
    services.lesson_create(actor=actor, module=first, title="What is AI", key="what-is-ai",
                           body="# What is AI\n\nSoftware that *learns*.", estimated_minutes=5)
    services.lesson_create(actor=actor, module=first, title="History", key="history",
                           body="Some **history**.", estimated_minutes=5)
    services.lesson_create(actor=actor, module=second, title="Prompts", key="prompts",
                           body="Write clear prompts.", estimated_minutes=10)
    quiz = services.quiz_create(actor=actor, course=course, module=second, title="Check",
                                key="check", pass_mark=60, questions_per_attempt=2)
    services.question_create(actor=actor, quiz=quiz, key="q-one", type=QuestionType.SINGLE,
                             prompt="Pick **A**", explanation="A is right.",
                             choices=[{"text": "A", "is_correct": True},
                                      {"text": "B", "is_correct": False}])
    services.question_create(actor=actor, quiz=quiz, key="q-two", type=QuestionType.MULTIPLE,
                             prompt="Pick A and C",
                             choices=[{"text": "A", "is_correct": True},
                                      {"text": "B", "is_correct": False},
                                      {"text": "C", "is_correct": True}])
    services.question_create(actor=actor, quiz=quiz, key="q-three",
                             type=QuestionType.TRUE_FALSE, prompt="AI is magic.",
                             choices=[{"text": "True", "is_correct": False},
                                      {"text": "False", "is_correct": True}])
    if publish:
        services.course_publish(actor=actor, course=course)
        course.refresh_from_db()
    return course


@pytest.fixture
def course_a(world):
    """A published course owned by agency A (owner-only visibility)."""
    return build_course(world.a_trainer, world.a, publish=True)
