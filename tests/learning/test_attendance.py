"""Attending a live session as learning: the `attended` event (once), live-session step credit,
completion and certificate through the usual path (learning.services.attendance)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning import selectors
from learning import services as learning
from learning.content import outline
from learning.models import Certificate, EnrollmentStatus, LearningEvent, LessonProgress, Verb
from tests.builders import complete_lesson, simple_course, with_live_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    course = simple_course(world.a_trainer, world.a, slug="with-live", title="With live")
    return with_live_steps(course, "Attend the workshop")


def attend(session_id, course, *users, title="Workshop"):
    return learning.attendances_record(
        session_id=session_id,
        title=title,
        course_id=course.pk if course else None,
        user_ids=[u.pk for u in users],
    )


def attended_events():
    return LearningEvent.objects.filter(verb=Verb.ATTENDED)


def test_the_outline_places_live_steps_after_the_lessons_of_their_module(course):
    plan = outline(course.current_version.snapshot)
    assert [(s["kind"], s["key"]) for s in plan.steps] == [
        ("lesson", "one"),
        ("lesson", "two"),
        ("live", "live-1"),
    ]
    assert plan.live_keys == ["live-1"]


def test_marking_twice_writes_one_event(world, course):
    assert attend(7, course, world.a_learner) == 1
    assert attend(7, course, world.a_learner) == 0
    event = attended_events().get()
    assert (event.user_id, event.agency_id, event.course_id) == (
        world.a_learner.pk,
        world.a.pk,
        course.pk,
    )
    assert (event.object_type, event.object_key) == ("live_session", "7")
    assert event.result["title"] == "Workshop"


def test_attending_credits_the_live_step_and_the_last_step_completes_the_course(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS
    assert enrollment.progress_percent == 67

    attend(7, course, world.a_learner)

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert attended_events().get().result["step"] == "live-1"
    verbs = list(LearningEvent.objects.filter(course=course).values_list("verb", flat=True))
    assert verbs[-3:] == [Verb.ATTENDED, Verb.COURSE_COMPLETED, Verb.CERTIFICATE_ISSUED]


def test_lessons_alone_do_not_complete_a_course_with_a_live_step(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS
    assert not Certificate.objects.exists()


def test_the_player_shows_the_live_step_done_once_attended(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    player = selectors.course_player(enrollment, kind="live", key="live-1")
    assert player["step"]["done"] is False
    assert [s["key"] for s in player["left_other"]] == ["live-1"]

    attend(7, course, world.a_learner)

    player = selectors.course_player(enrollment, kind="live", key="live-1")
    assert player["step"]["done"] is True
    assert player["left_other"] == []


def test_each_session_attended_credits_the_next_live_step(world):
    course = simple_course(world.a_trainer, world.a, slug="two-live", title="Two live")
    with_live_steps(course, "First workshop", "Second workshop")
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    attend(1, course, world.a_learner)
    attend(1, course, world.a_learner)  # the same session again: no second credit
    credited = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_key", flat=True)
    )
    assert credited == {"live:live-1"}
    attend(2, course, world.a_learner)
    credited = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_key", flat=True)
    )
    assert credited == {"live:live-1", "live:live-2"}


def test_a_live_step_cannot_be_marked_done_as_a_lesson(world, course):
    from django.core.exceptions import ValidationError

    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    with pytest.raises(ValidationError):
        learning.lesson_complete(enrollment=enrollment, lesson_key="live-1")


def test_someone_not_enrolled_gets_the_event_and_no_enrollment(world, course):
    attend(7, course, world.a_learner, world.b_learner)
    events = dict(attended_events().values_list("user_id", "agency_id"))
    assert events == {world.a_learner.pk: world.a.pk, world.b_learner.pk: world.b.pk}
    assert not world.a_learner.enrollments.exists()


def test_a_session_without_a_course_gives_an_event_without_a_course(world):
    attend(9, None, world.a_learner)
    assert attended_events().get().course_id is None


def test_a_completed_enrollment_gets_the_event_and_stays_as_it_is(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    attend(1, course, world.a_learner)
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")
    enrollment.refresh_from_db()
    completed_at = enrollment.completed_at
    attend(2, course, world.a_learner)
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert attended_events().count() == 2
    assert Certificate.objects.count() == 1


def test_people_not_enrolled_cost_the_same_queries_whatever_their_number(world, course):
    def cost(session_id, people):
        with CaptureQueriesContext(connection) as queries:
            attend(session_id, course, *people)
        return len([q for q in queries if "SAVEPOINT" not in q["sql"]])

    few = cost(7, [world.a_learner, world.b_learner])
    many = cost(8, [world.a_learner, world.a_ops_learner, world.a_manager, world.b_learner])
    # already attended, enrollments, memberships, one INSERT; the xAPI outbox's per-agency
    # look-up is cached after the first call.
    assert many <= few <= 6
    assert many == 4
    assert attended_events().count() == 6
