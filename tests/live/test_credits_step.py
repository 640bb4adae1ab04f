"""A session can name the live-session step of its course that attending credits (issue 16):
validated against the course's published version on the form and in the service; without a
name, attending credits the first live-session step not done yet, as before."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services as course_services
from learning import services as learning
from learning.models import LessonProgress
from live import services
from live.models import LiveSession
from tests.builders import simple_course

from .conftest import schedule
from .test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    """A published course whose module has two live-session steps, authored in the studio:
    "kick-off" then "wrap-up"; and a third step, "draft-only", added after publishing."""
    course = simple_course(world.a_trainer, world.a, slug="two-live", title="Two live steps")
    module = course.modules.get()
    for title in ("Kick-off", "Wrap-up"):
        course_services.live_step_create(actor=world.a_trainer, module=module, title=title)
    course_services.course_publish(actor=world.a_trainer, course=course)
    course_services.live_step_create(actor=world.a_trainer, module=module, title="Draft only")
    course.refresh_from_db()
    return course


def credited(enrollment):
    return set(
        LessonProgress.objects.filter(
            enrollment=enrollment, lesson_key__startswith="live:"
        ).values_list("lesson_key", flat=True)
    )


def attend(world, session, user):
    services.registration_create(actor=user, session=session)
    with time_machine.travel(session.starts_at + timedelta(minutes=10)):
        services.attendance_record(
            actor=world.a_trainer, session=session, attended_user_ids=[user.pk]
        )


def test_attending_credits_the_step_the_session_names(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    session = schedule(world.a_trainer, course=course, credits_step="wrap-up")
    attend(world, session, world.a_learner)
    assert credited(enrollment) == {"live:wrap-up"}
    # the next session, naming no step, credits the first one not done yet
    attend(world, schedule(world.a_trainer, days=4, course=course), world.a_learner)
    assert credited(enrollment) == {"live:wrap-up", "live:kick-off"}


def test_without_a_named_step_the_first_step_not_done_is_credited(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    attend(world, schedule(world.a_trainer, course=course), world.a_learner)
    assert credited(enrollment) == {"live:kick-off"}


def test_a_named_step_already_done_credits_nothing_more(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    attend(
        world, schedule(world.a_trainer, course=course, credits_step="kick-off"), world.a_learner
    )
    attend(
        world,
        schedule(world.a_trainer, days=4, course=course, credits_step="kick-off"),
        world.a_learner,
    )
    assert credited(enrollment) == {"live:kick-off"}


def test_the_service_refuses_a_step_outside_the_linked_courses_published_version(world, course):
    for fields in (
        {"course": course, "credits_step": "draft-only"},  # only in the draft
        {"course": course, "credits_step": "nope"},
        {"course": None, "credits_step": "kick-off"},  # no course
    ):
        with pytest.raises(ValidationError) as error:
            schedule(world.a_trainer, **fields)
        assert "credits_step" in error.value.message_dict
    assert not LiveSession.objects.exists()


def test_changing_the_course_forgets_the_step_of_the_old_one(world, course):
    session = schedule(world.a_trainer, course=course, credits_step="wrap-up")
    other = simple_course(world.a_trainer, world.a, slug="other", title="Other")
    services.session_update(actor=world.a_trainer, session=session, course=other)
    session.refresh_from_db()
    assert (session.course_id, session.credits_step) == (other.pk, "")


def test_the_form_offers_the_published_steps_and_saves_the_chosen_one(world, course, client_for):
    client = client_for(world.a_trainer)
    page = client.get(reverse("live_studio:create")).content.decode()
    assert "Live-session step it credits" in page
    assert f'value="{course.pk}:wrap-up"' in page and "Wrap-up" in page
    assert "draft-only" not in page  # not published yet
    response = client.post(
        reverse("live_studio:create"),
        form_data(world.a_trainer, course=str(course.pk), credits_step=f"{course.pk}:wrap-up"),
    )
    assert response.status_code == 302
    session = LiveSession.objects.get()
    assert (session.course_id, session.credits_step) == (course.pk, "wrap-up")
    edit = client.get(reverse("live_studio:edit", args=[session.pk])).content.decode()
    assert f'value="{course.pk}:wrap-up" selected' in edit


def test_the_form_refuses_a_step_of_another_course_with_a_field_error(world, course, client_for):
    other = simple_course(world.a_trainer, world.a, slug="other", title="Other")
    client = client_for(world.a_trainer)
    for data in (
        form_data(world.a_trainer, course=str(other.pk), credits_step=f"{course.pk}:wrap-up"),
        form_data(world.a_trainer, course="", credits_step=f"{course.pk}:wrap-up"),
        form_data(world.a_trainer, course=str(course.pk), credits_step=f"{course.pk}:nope"),
    ):
        response = client.post(reverse("live_studio:create"), data)
        assert response.status_code == 400
        assert 'id="id_credits_step-error"' in response.content.decode()
    assert not LiveSession.objects.exists()


def test_another_agencys_courses_steps_are_not_offered(world, course, client_for):
    page = client_for(world.b_admin).get(reverse("live_studio:create")).content.decode()
    assert "wrap-up" not in page


def drop_wrap_up(world, course):
    """Delete "wrap-up" from the draft and publish: the published version no longer has it."""
    from courses.models import LiveStep

    course_services.live_step_delete(
        actor=world.a_trainer, step=LiveStep.objects.get(course=course, key="wrap-up")
    )
    course_services.course_publish(actor=world.a_trainer, course=course)


REMOVED = "published version no longer has"


def test_a_step_removed_from_the_course_is_shown_on_the_form_not_silently_replaced(
    world, course, client_for
):
    session = schedule(world.a_trainer, course=course, credits_step="wrap-up")
    drop_wrap_up(world, course)
    client = client_for(world.a_trainer)
    url = reverse("live_studio:edit", args=[session.pk])
    page = client.get(url).content.decode()
    assert REMOVED in page and "“wrap-up”" in page
    # still the selected value, not "the first step not done yet"
    assert f'value="{course.pk}:wrap-up" selected' in page
    assert f'value="{course.pk}:kick-off" selected' not in page
    assert '<option value="" selected>The first live-session step' not in page


def test_saving_the_removed_step_unchanged_is_refused_until_the_trainer_chooses(
    world, course, client_for
):
    session = schedule(world.a_trainer, course=course, credits_step="wrap-up")
    drop_wrap_up(world, course)
    client = client_for(world.a_trainer)
    url = reverse("live_studio:edit", args=[session.pk])
    data = form_data(
        world.a_trainer, title="Renamed", course=str(course.pk), credits_step=f"{course.pk}:wrap-up"
    )
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_credits_step-error"' in page and REMOVED in page
    session.refresh_from_db()
    assert (session.title, session.credits_step) == ("Prompting workshop", "wrap-up")
    # choosing, the first step not done yet or another step, saves
    assert client.post(url, {**data, "credits_step": ""}).status_code == 302
    session.refresh_from_db()
    assert (session.title, session.credits_step) == ("Renamed", "")
    assert REMOVED not in client.get(url).content.decode()


def test_the_removed_step_notice_is_in_french(world, course, client_for):
    session = schedule(world.a_trainer, course=course, credits_step="wrap-up")
    drop_wrap_up(world, course)
    page = (
        client_for(world.a_trainer)
        .get(reverse("live_studio:edit", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "que la version publiée du cours n’a plus" in page
    assert "wrap-up (ne figure plus dans le cours)" in page
