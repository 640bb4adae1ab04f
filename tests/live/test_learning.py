"""Attendance becomes learning: the roster, the CSV import and check-in write one `attended`
event per person (learning.services.attendances_record), and attending a session linked to a
course does its live-session step; the step's page in the course player."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from learning import services as learning
from learning.models import Certificate, EnrollmentStatus, LearningEvent, Verb
from live import services
from tests.builders import complete_lesson, simple_course, with_live_steps

from .conftest import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    course = simple_course(world.a_trainer, world.a, slug="with-live", title="With live")
    return with_live_steps(course, "Attend the workshop")


@pytest.fixture
def linked(world, course):
    session = schedule(world.a_trainer, course=course)
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    return session


def attended(session):
    return LearningEvent.objects.filter(
        verb=Verb.ATTENDED, object_type="live_session", object_key=str(session.pk)
    )


def mark(world, session, *users):
    return services.attendance_record(
        actor=world.a_trainer, session=session, attended_user_ids=[u.pk for u in users]
    )


def test_the_roster_writes_one_event_per_person_however_often_it_is_saved(world, linked):
    with time_machine.travel(linked.starts_at + timedelta(minutes=10)):
        mark(world, linked, world.a_learner)
        mark(world, linked, world.a_learner, world.a_ops_learner)
        mark(world, linked, world.a_learner)  # ops unticked: their event stays, none added
        mark(world, linked, world.a_learner, world.a_ops_learner)  # ticked again: none added
    assert sorted(attended(linked).values_list("user_id", flat=True)) == sorted(
        [world.a_learner.pk, world.a_ops_learner.pk]
    )


def test_the_csv_import_and_check_in_write_the_event_once(world, linked):
    csv = b"Email\nlearner@a.gov\n"
    with time_machine.travel(linked.starts_at + timedelta(minutes=10)):
        services.attendance_import(
            actor=world.a_trainer, session=linked, content=csv, email_column="Email"
        )
        services.checkin(actor=world.a_learner, session=linked, code=linked.checkin_code)
        services.checkin(actor=world.a_ops_learner, session=linked, code=linked.checkin_code)
    assert attended(linked).count() == 2


def test_a_refused_csv_writes_no_event(world, linked):
    csv = b"Email\nlearner@a.gov\nstranger@else.gov\n"
    with time_machine.travel(linked.starts_at + timedelta(minutes=10)):
        with pytest.raises(Exception):  # noqa: B017 -- ValidationError, nothing written
            services.attendance_import(
                actor=world.a_trainer, session=linked, content=csv, email_column="Email"
            )
    assert not attended(linked).exists()


def test_attending_completes_the_step_the_course_and_issues_the_certificate(world, course, linked):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")
    with time_machine.travel(linked.starts_at + timedelta(minutes=10)):
        mark(world, linked, world.a_learner)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert Certificate.objects.filter(enrollment=enrollment, revoked_at__isnull=True).exists()


def test_the_step_page_shows_the_sessions_and_then_the_step_done(
    world, course, client_for, django_assert_max_num_queries
):
    upcoming = schedule(world.a_trainer, course=course, title="Course workshop")
    schedule(world.a_trainer, title="Unrelated session")
    learning.enrollment_create(user=world.a_learner, course=course)
    client = client_for(world.a_learner)
    url = reverse("live:course_step", args=[course.slug, "live-1"])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "Course workshop" in page and "Unrelated session" not in page
    assert reverse("live:detail", args=[upcoming.pk]) in page
    assert "Done: you attended" not in page

    services.registration_create(actor=world.a_learner, session=upcoming)
    with time_machine.travel(upcoming.starts_at + timedelta(minutes=10)):
        mark(world, upcoming, world.a_learner)
    page = client.get(url).content.decode()
    assert "Done: you attended" in page


def test_the_course_contents_link_to_the_live_step(world, course, client_for):
    learning.enrollment_create(user=world.a_learner, course=course)
    page = client_for(world.a_learner).get(reverse("learning:lesson", args=[course.slug, "one"]))
    assert reverse("live:course_step", args=[course.slug, "live-1"]) in page.content.decode()


def test_the_step_page_is_404_for_another_agency_and_for_an_unknown_step(world, course, client_for):
    learning.enrollment_create(user=world.a_learner, course=course)
    url = reverse("live:course_step", args=[course.slug, "live-1"])
    assert client_for(world.b_learner).get(url).status_code == 404
    assert client_for(world.a_ops_learner).get(url).status_code == 404  # not enrolled
    missing = reverse("live:course_step", args=[course.slug, "one"])  # a lesson, not a live step
    assert client_for(world.a_learner).get(missing).status_code == 404
