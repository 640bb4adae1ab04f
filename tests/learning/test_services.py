import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import AuditEvent
from courses import services as course_services
from courses.models import Course, Quiz, Visibility
from learning import services
from learning.models import (
    Certificate,
    Enrollment,
    EnrollmentStatus,
    LearningEvent,
    LessonProgress,
    QuizAttempt,
    Verb,
)
from tests.builders import build_course, finish_course, quiz_of, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def verbs(enrollment):
    return list(
        LearningEvent.objects.filter(course=enrollment.course, user=enrollment.user).values_list(
            "verb", flat=True
        )
    )


# --- enrollment ------------------------------------------------------------------------------


def test_enrollment_create_copies_agency_and_unit_and_records_event(world, course):
    enrollment = services.enrollment_create(user=world.a_learner, course=course)
    assert (enrollment.agency, enrollment.unit) == (world.a, world.data)
    assert enrollment.version == course.current_version
    assert enrollment.status == EnrollmentStatus.NOT_STARTED
    assert verbs(enrollment) == [Verb.ENROLLED]


def test_enrolling_twice_is_a_no_op(world, course):
    first = services.enrollment_create(user=world.a_learner, course=course)
    again = services.enrollment_create(user=world.a_learner, course=course)
    assert first.pk == again.pk
    assert Enrollment.objects.count() == 1
    assert verbs(first) == [Verb.ENROLLED]


def test_one_enrollment_per_learner_and_course_is_a_database_constraint(world, course, enrollment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            user=world.a_learner, course=course, version=course.current_version, agency=world.a
        )


def test_learner_cannot_enroll_in_another_agencys_course(world, course):
    with pytest.raises(ValidationError):
        services.enrollment_create(user=world.b_learner, course=course)
    assert not Enrollment.objects.exists()


def test_learner_cannot_enroll_in_unpublished_course(world):
    draft = build_course(world.a_trainer, world.a, slug="draft-one", publish=False)
    with pytest.raises(ValidationError):
        services.enrollment_create(user=world.a_learner, course=draft)


def test_course_shared_with_every_agency_is_open_to_other_agency(world, course):
    Course.objects.filter(pk=course.pk).update(visibility=Visibility.ALL)
    assert services.enrollment_create(user=world.b_learner, course=course).agency == world.b


def test_assignment_makes_existing_enrollment_required_with_earlier_due_date(world, course):
    services.enrollment_create(user=world.a_learner, course=course)
    due = datetime.date(2030, 1, 31)
    e = services.enrollment_create(user=world.a_learner, course=course, required=True, due_on=due)
    assert (e.required, e.due_on) == (True, due)
    later = services.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=due + datetime.timedelta(days=9)
    )
    assert later.due_on == due


# --- lessons ---------------------------------------------------------------------------------


def test_lesson_complete_is_idempotent_and_updates_progress(enrollment):
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    enrollment.refresh_from_db()
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
    assert verbs(enrollment).count(Verb.LESSON_COMPLETED) == 1
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS and enrollment.started_at
    assert enrollment.progress_percent == 25  # 1 of 3 lessons + 1 quiz


def test_lesson_complete_refuses_unknown_lesson(enrollment):
    with pytest.raises(ValidationError):
        services.lesson_complete(enrollment=enrollment, lesson_key="not-a-lesson")
    assert not LessonProgress.objects.exists()


def test_visit_remembers_last_lesson_and_starts_course(enrollment):
    services.enrollment_visit(enrollment=enrollment, lesson_key="history")
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_key == "history"
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS


# --- attempts --------------------------------------------------------------------------------


def test_attempt_start_draws_and_stores_questions_and_choice_order(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    assert len(attempt.drawn) == 2
    pool = {q["key"]: q for q in quiz_of(attempt)["questions"]}
    for d in attempt.drawn:
        assert sorted(d["choice_keys"]) == sorted(
            c["key"] for c in pool[d["question_key"]]["choices"]
        )
    assert services.attempt_start(enrollment=enrollment, quiz_key="check").pk == attempt.pk
    assert QuizAttempt.objects.get(pk=attempt.pk).drawn == attempt.drawn


def test_draw_keeps_pool_order_when_not_shuffled(world, enrollment):
    Quiz.objects.filter(key="check").update(
        shuffle_questions=False, shuffle_choices=False, questions_per_attempt=3
    )
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    assert [d["question_key"] for d in attempt.drawn] == ["q-one", "q-two", "q-three"]
    assert attempt.drawn[1]["choice_keys"] == ["c1", "c2", "c3"]


def test_only_one_open_attempt_per_quiz_is_a_database_constraint(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(
            enrollment=enrollment, quiz_key="check", number=2, version=attempt.version
        )


def test_attempt_submit_grades_on_the_server(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    attempt = services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert (attempt.score, attempt.passed) == (100, True)
    assert set(attempt.answers) == {d["question_key"] for d in attempt.drawn}
    assert verbs(enrollment)[-1] == Verb.ATTEMPT_SUBMITTED
    event = LearningEvent.objects.get(verb=Verb.ATTEMPT_SUBMITTED)
    assert event.result["score"] == 100 and event.result["passed"] is True


def test_wrong_and_partial_answers_score_zero_for_that_question(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    answers = wrong_answers(attempt)
    attempt = services.attempt_submit(attempt=attempt, answers=answers)
    assert (attempt.score, attempt.passed) == (0, False)


def test_multiple_choice_needs_exactly_the_correct_set(world, enrollment):
    Quiz.objects.filter(key="check").update(questions_per_attempt=3)
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    answers = right_answers(attempt)
    answers["q-two"] = ["c1"]  # one of the two correct choices only
    attempt = services.attempt_submit(attempt=attempt, answers=answers)
    assert attempt.score == 67 and attempt.passed is True  # pass mark 60


def test_unanswered_questions_count_as_wrong(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    first = attempt.drawn[0]["question_key"]
    attempt = services.attempt_submit(
        attempt=attempt, answers={first: right_answers(attempt)[first]}
    )
    assert attempt.score == 50
    assert [v for v in attempt.answers.values() if not v] == [[]]


def test_submission_without_any_answer_is_refused_and_the_attempt_stays_unused(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    empty = {d["question_key"]: [] for d in attempt.drawn}
    for answers in ({}, empty):
        with pytest.raises(ValidationError, match="not answered any question"):
            services.attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.score is None
    assert Verb.ATTEMPT_SUBMITTED not in verbs(enrollment)
    # Starting again resumes the same attempt: no attempt was used up.
    assert services.attempt_start(enrollment=enrollment, quiz_key="check").pk == attempt.pk


def test_draft_answers_are_kept_on_the_open_attempt_and_checked(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    first = attempt.drawn[0]["question_key"]
    draft = services.attempt_save_draft(
        attempt=attempt, answers={first: right_answers(attempt)[first]}
    )
    attempt.refresh_from_db()
    assert attempt.answers == draft and draft[first] and services.answered_count(draft) == 1
    assert attempt.is_open and attempt.score is None
    with pytest.raises(ValidationError):
        services.attempt_save_draft(attempt=attempt, answers={first: ["c9"]})
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    attempt.refresh_from_db()
    with pytest.raises(ValidationError, match="already submitted"):
        services.attempt_save_draft(attempt=attempt, answers={})
    assert attempt.score == 100


def test_draft_is_refused_once_the_time_limit_has_passed(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    attempt.deadline = timezone.now() - services.GRACE - datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="time limit"):
        services.attempt_save_draft(attempt=attempt, answers=right_answers(attempt))


def test_second_submit_returns_first_result_and_records_nothing(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    first = services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    second = services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert (second.score, second.passed, second.answers) == (first.score, False, first.answers)
    assert verbs(enrollment).count(Verb.ATTEMPT_SUBMITTED) == 1


@pytest.mark.parametrize(
    "tamper", ["foreign_question", "foreign_choice", "two_for_single", "not_a_list"]
)
def test_tampered_answers_are_refused_and_nothing_is_stored(enrollment, tamper):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    answers = right_answers(attempt)
    drawn = {d["question_key"] for d in attempt.drawn}
    if tamper == "foreign_question":
        answers[({"q-one", "q-two", "q-three"} - drawn).pop()] = ["c1"]
    elif tamper == "foreign_choice":
        answers[attempt.drawn[0]["question_key"]] = ["c9"]
    elif tamper == "two_for_single":
        single = next(iter(drawn - {"q-two"}))
        answers[single] = ["c1", "c2"]
    else:
        answers[attempt.drawn[0]["question_key"]] = {"c1": True}
    with pytest.raises(ValidationError):
        services.attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers == {} and attempt.score is None
    assert Verb.ATTEMPT_SUBMITTED not in verbs(enrollment)


def test_attempts_are_limited(world, enrollment):
    Quiz.objects.filter(key="check").update(max_attempts=2)
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    for _ in range(2):
        attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
        services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    with pytest.raises(ValidationError, match="all 2 attempts"):
        services.attempt_start(enrollment=enrollment, quiz_key="check")
    assert QuizAttempt.objects.count() == 2


def test_passed_quiz_cannot_be_retaken(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    with pytest.raises(ValidationError):
        services.attempt_start(enrollment=enrollment, quiz_key="check")


def test_time_limit_is_enforced_on_the_server(world, enrollment):
    Quiz.objects.filter(key="check").update(time_limit_minutes=10)
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    assert attempt.deadline is not None
    # Within the grace period the answers still count.
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=attempt.started_at - services.GRACE + datetime.timedelta(seconds=5)
    )
    # Long after the deadline they are refused and nothing is stored.
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=attempt.started_at - datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="time limit"):
        services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    # The next start closes the expired attempt with no answers and draws a new one.
    new = services.attempt_start(enrollment=enrollment, quiz_key="check")
    attempt.refresh_from_db()
    assert new.number == 2 and (attempt.score, attempt.passed) == (0, False)


def test_submission_within_grace_is_accepted(world, enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    from django.utils import timezone

    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - services.GRACE + datetime.timedelta(seconds=10)
    )
    assert services.attempt_submit(attempt=attempt, answers=right_answers(attempt)).passed


# --- completion and certificates -------------------------------------------------------------


def test_course_completes_once_with_score_certificate_and_events(enrollment):
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    enrollment = finish_course(enrollment)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.progress_percent == 100 and enrollment.final_score == 100
    completed_at = enrollment.completed_at
    assert services.enrollment_complete_if_done(enrollment=enrollment) is True
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert Certificate.objects.count() == 1
    assert verbs(enrollment).count(Verb.COURSE_COMPLETED) == 1
    assert verbs(enrollment).count(Verb.CERTIFICATE_ISSUED) == 1


def test_not_complete_until_quiz_passed(enrollment):
    for key in ("what-is-ai", "history", "prompts"):
        services.lesson_complete(enrollment=enrollment, lesson_key=key)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.IN_PROGRESS and enrollment.progress_percent == 75
    assert services.enrollment_complete_if_done(enrollment=enrollment) is False


def test_certificate_code_is_unguessable_and_names_copied(world, enrollment):
    certificate = finish_course(enrollment).certificate
    assert len(certificate.code) >= 22
    assert certificate.learner_name == world.a_learner.full_name
    assert (certificate.course_title, certificate.agency_name) == ("Intro to AI", "Agency A")


def test_agency_admin_revokes_with_reason_and_audit(world, enrollment):
    certificate = finish_course(enrollment).certificate
    with pytest.raises(ValidationError):
        services.certificate_revoke(actor=world.a_admin, certificate=certificate, reason=" ")
    services.certificate_revoke(
        actor=world.a_admin, certificate=certificate, reason="Completed on someone else's behalf"
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at and certificate.revoked_by == world.a_admin
    assert AuditEvent.objects.filter(action="certificate.revoke", agency=world.a).count() == 1
    assert LearningEvent.objects.filter(verb=Verb.CERTIFICATE_REVOKED).count() == 1


@pytest.mark.parametrize("who", ["b_admin", "a_manager", "a_learner"])
def test_others_cannot_revoke(world, enrollment, who):
    certificate = finish_course(enrollment).certificate
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=getattr(world, who), certificate=certificate, reason="no")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- versions --------------------------------------------------------------------------------


def test_new_version_keeps_credit_for_lessons_and_quizzes_that_still_exist(world, enrollment):
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    services.lesson_complete(enrollment=enrollment, lesson_key="history")
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    course = enrollment.course
    # The trainer removes "history" and adds a new lesson, then republishes.
    course.lessons.get(key="history").delete()
    module = course.modules.first()
    course_services.lesson_create(
        actor=world.a_trainer,
        module=module,
        title="Ethics",
        key="ethics",
        body="Be fair.",
        estimated_minutes=5,
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    course.refresh_from_db()
    enrollment = services.enrollment_sync_version(enrollment=enrollment)
    assert enrollment.version == course.current_version
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 50  # what-is-ai + quiz of (3 lessons + 1 quiz)
    services.lesson_complete(enrollment=enrollment, lesson_key="ethics")
    services.lesson_complete(enrollment=enrollment, lesson_key="prompts")
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.final_score == 100


def test_completed_enrollment_stays_on_its_version(world, enrollment):
    enrollment = finish_course(enrollment)
    old = enrollment.version_id
    course_services.course_publish(actor=world.a_trainer, course=enrollment.course)
    assert services.enrollment_sync_version(enrollment=enrollment).version_id == old
