"""Learning fixtures: published courses built through the course services (tests/builders.py)."""

import pytest

from learning import services
from tests.builders import build_course


@pytest.fixture
def course(world):
    """Agency A's published course: 3 lessons, one quiz (draws 2 of 3, pass mark 60)."""
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def enrollment(world, course):
    return services.enrollment_create(user=world.a_learner, course=course)
