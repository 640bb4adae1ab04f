"""Learning fixtures: published courses built through the course services (tests/builders.py)."""

import pytest

from learning import services
from tests.builders import (  # noqa: F401  (also imported from here by modules not yet moved)
    CONTENT,
    build_course,
    finish_course,
    quiz_of,
    right_answers,
    starter_course,
    wrong_answers,
)


@pytest.fixture
def course(world):
    """Agency A's published course: 3 lessons, one quiz (draws 2 of 3, pass mark 60)."""
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def enrollment(world, course):
    return services.enrollment_create(user=world.a_learner, course=course)
