import pytest

from learning import services as learning_services
from tests.builders import simple_course, with_practice_task


@pytest.fixture
def course(world):
    course = simple_course(world.a_trainer, world.a, slug="with-practice", title="With practice")
    return with_practice_task(world.a_trainer, course)


@pytest.fixture
def enrollment(world, course):
    return learning_services.enrollment_create(user=world.a_learner, course=course)


LEVELS_PASS = {"removed": "1", "justified": "1"}  # 2 + 1 = 3 points: the pass mark
LEVELS_RETURN = {"removed": "0", "justified": "2"}  # 0 + 2 = 2 points
