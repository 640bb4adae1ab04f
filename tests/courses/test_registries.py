import pytest
from django.core.exceptions import ValidationError

from academy.registry import AlreadyRegistered
from courses import services
from courses.models import Status
from courses.registries import publish_checks
from courses.services.publishing import content_publish_check
from tests.builders import build_course


def feed_code_required(*, course, content):
    return [] if "feed" in content["topics"] else ["The federal feed needs the “feed” topic."]


def test_a_registered_publish_check_refuses_what_the_content_check_accepts(world):
    course = build_course(world.a_trainer, world.a)
    assert publish_checks.keys()[0] == "content"

    with publish_checks.temporary():
        publish_checks.register("feed", feed_code_required)
        assert services.course_publish_problems(course) == [
            services.Problem("", "The federal feed needs the “feed” topic.")
        ]
        with pytest.raises(ValidationError) as refused:
            services.course_publish(actor=world.a_trainer, course=course)
        assert refused.value.messages == ["The federal feed needs the “feed” topic."]
        course.refresh_from_db()
        assert course.status == Status.DRAFT

    services.course_publish(actor=world.a_trainer, course=course)  # without it: publishable
    course.refresh_from_db()
    assert course.status == Status.PUBLISHED


def test_a_publish_check_key_is_registered_once():
    with publish_checks.temporary(), pytest.raises(AlreadyRegistered):
        publish_checks.register("content", content_publish_check)
