"""A session linked to a learning path (issue 16): a session names a course or a path, never
both; attending a path's session credits a live-session step of the path's courses (the first
of the person's enrollments with a step left), and the step's page and the session page show
the link."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services as course_services
from learning import services as learning
from learning.content import live_credit_key
from learning.models import LessonProgress
from live import services
from tests.builders import simple_course, with_live_steps

from .conftest import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(world):
    plain = simple_course(world.a_trainer, world.a, slug="plain", title="Plain course")
    live = with_live_steps(
        simple_course(world.a_trainer, world.a, slug="live-one", title="Live course"),
        "Attend a clinic",
    )
    path = course_services.learning_path_save(
        actor=None,
        agency=world.a,
        slug="a-track",
        title="A track",
        course_slugs=[plain.slug, live.slug],
    )
    return path, plain, live


def _credits(enrollment):
    return set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_key", flat=True)
    )


def test_attending_a_path_session_credits_the_live_step_of_the_paths_course(world, path):
    path, plain, live = path
    plain_enrollment = learning.enrollment_create(user=world.a_learner, course=plain)
    live_enrollment = learning.enrollment_create(user=world.a_learner, course=live)
    session = schedule(world.a_trainer, path=path)
    services.registration_create(actor=world.a_learner, session=session)
    with time_machine.travel(session.starts_at + timedelta(minutes=10)):
        services.attendance_record(
            actor=world.a_trainer, session=session, attended_user_ids=[world.a_learner.pk]
        )
    # the plain course has no live step: the credit goes to the path's next course that has one
    assert _credits(live_enrollment) == {live_credit_key("live-1")}
    assert not any(k.startswith("live:") for k in _credits(plain_enrollment))


def test_a_session_links_a_course_or_a_path_not_both(world, path):
    path, plain, _live = path
    with pytest.raises(ValidationError) as error:
        schedule(world.a_trainer, path=path, course=plain)
    assert "not both" in str(error.value)


def test_another_agencys_path_cannot_be_linked(world, path, client_for):
    from agencies.models import Role
    from tests.builders import make_member

    path, _plain, _live = path
    b_trainer = make_member(world.b, Role.TRAINER, world.branch, email="trainer@b.gov")
    with pytest.raises(ValidationError, match="learning path of your agency"):
        schedule(b_trainer, path=path)
    # and B's session form does not offer it
    page = client_for(b_trainer).get(reverse("live_studio:create")).content.decode()
    assert "A track" not in page


def test_session_page_and_step_page_show_the_path(world, path, client_for):
    path, _plain, live = path
    learning.enrollment_create(user=world.a_learner, course=live)
    session = schedule(world.a_trainer, path=path, title="Path clinic")
    client = client_for(world.a_learner)
    page = client.get(reverse("live:detail", args=[session.pk])).content.decode()
    assert "A track" in page and "#path-a-track" in page
    step = client.get(reverse("live:course_step", args=[live.slug, "live-1"])).content.decode()
    assert "Path clinic" in step
