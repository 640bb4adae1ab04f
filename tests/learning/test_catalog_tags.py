"""The catalog's tags from learning (course_learner_tags) say what course_learner_states says."""

import pytest

from learning import services
from learning.selectors import course_learner_states, course_learner_tags
from tests.builders import build_course

pytestmark = pytest.mark.django_db


def test_tags_match_the_learner_states_in_every_status(world, django_assert_num_queries):
    courses = [
        build_course(world.a_admin, world.a, slug=f"c{i}", title=f"C{i}", publish=True)
        for i in range(4)
    ]
    services.enrollment_create(user=world.a_learner, course=courses[0])
    started = services.enrollment_create(user=world.a_learner, course=courses[1])
    services.enrollment_visit(enrollment=started, lesson_key="what-is-ai")
    b_course = build_course(world.b_admin, world.b, slug="b", title="B", publish=True)
    services.enrollment_create(user=world.b_learner, course=b_course)
    ids = [c.pk for c in courses]
    course_learner_tags(world.a_learner, ids)
    with django_assert_num_queries(1):
        tags = course_learner_tags(world.a_learner, ids)
    states = course_learner_states(world.a_learner, courses)
    assert tags == {pk: s.tag for pk, s in states.items() if s.tag}
    assert set(tags.values()) == {"Enrolled", "In progress"}
    assert course_learner_tags(world.a_learner, ids[2:]) == {}
    assert course_learner_tags(world.b_learner, ids) == {}
    assert course_learner_tags(world.b_learner, [b_course.pk]) == {b_course.pk: "Enrolled"}
