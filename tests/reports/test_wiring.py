"""Every learning service that creates or changes an enrollment keeps the aggregates in step."""

import datetime

import pytest

from learning import services as learning
from reports.models import EnrollmentCount, OpenDueCount
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import build_course, finish_course, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def in_step(agency):
    return aggregates_recompute_agency(agency_id=agency.pk, repair=False) == []


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def test_each_service_leaves_aggregates_equal_to_raw_counts(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    assert in_step(world.a)
    assert EnrollmentCount.objects.get(agency=world.a, course=course, status="not_started").n == 1

    learning.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=datetime.date(2030, 1, 1)
    )
    assert in_step(world.a)
    assert OpenDueCount.objects.get(course=course, due_on=datetime.date(2030, 1, 1)).n == 1

    learning.enrollment_visit(enrollment=enrollment, lesson_key="what-is-ai")
    assert in_step(world.a)
    assert EnrollmentCount.objects.get(course=course, status="in_progress").n == 1

    for key in ("what-is-ai", "history", "prompts"):
        learning.lesson_complete(enrollment=enrollment, lesson_key=key)
        assert in_step(world.a)
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    assert in_step(world.a)
    learning.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert in_step(world.a)
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert in_step(world.a)
    completed = EnrollmentCount.objects.get(course=course, status="completed")
    assert (completed.n, completed.score_sum, completed.score_n, completed.certified) == (
        1,
        100,
        1,
        1,
    )
    assert OpenDueCount.objects.get(course=course).n == 0

    enrollment.refresh_from_db()
    learning.certificate_revoke(
        actor=world.a_admin, certificate=enrollment.certificate, reason="Issued in error"
    )
    assert in_step(world.a)
    assert EnrollmentCount.objects.get(course=course, status="completed").certified == 0


def test_attempt_start_starts_the_course_in_step(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    learning.attempt_start(enrollment=enrollment, quiz_key="check")
    assert in_step(world.a)
    assert EnrollmentCount.objects.get(course=course, status="in_progress").n == 1


def test_republish_and_sync_version_stay_in_step(world, course):
    from courses import services as course_services

    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    finish_course(enrollment)
    other = learning.enrollment_create(user=world.a_ops_learner, course=course)
    learning.lesson_complete(enrollment=other, lesson_key="what-is-ai")
    course_services.course_publish(actor=world.a_trainer, course=course)
    other.refresh_from_db()
    learning.enrollment_sync_version(enrollment=other)
    assert in_step(world.a)


def test_bulk_services_keep_aggregates_in_step(world, course):
    """What an assignment batch and its removal do, through learning's bulk services."""
    learning.enrollment_create(user=world.a_learner, course=course)
    members = [(world.a_learner.pk, None), (world.a_ops_learner.pk, None)]
    ids = learning.enrollments_assign(
        agency_id=world.a.pk,
        course=course,
        members=members,
        required=True,
        due_on=datetime.date(2030, 2, 1),
    )
    assert in_step(world.a)
    assert (
        sum(
            EnrollmentCount.objects.filter(course=course, required=True).values_list("n", flat=True)
        )
        == 2
    )
    learning.enrollments_set_terms(wanted={pk: (False, None) for pk in ids.values()})
    assert in_step(world.a)
    assert not EnrollmentCount.objects.filter(course=course, required=True, n__gt=0).exists()


def test_completion_day_is_the_agencys_date(world, course):
    """Completed at 05:00 UTC on the 30th is still the 29th in Honolulu: the daily bucket, the
    nightly recompute and the agency's snapshots all say the 29th."""
    import time_machine

    from reports.models import CompletionDay
    from tests.builders import finish_course

    world.a.time_zone = "Pacific/Honolulu"
    world.a.save(update_fields=["time_zone"])
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    with time_machine.travel(
        datetime.datetime(2026, 11, 30, 5, 0, tzinfo=datetime.UTC), tick=False
    ):
        finish_course(enrollment)
    days = list(CompletionDay.objects.filter(n__gt=0).values_list("day", flat=True))
    assert days == [datetime.date(2026, 11, 29)]
    assert in_step(world.a)
