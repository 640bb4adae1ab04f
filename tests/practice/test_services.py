"""Submitting, claiming and reviewing practice tasks, and what learning records of them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learning.models import Certificate, EnrollmentStatus, LearningEvent, LessonProgress, Verb
from practice import services
from practice.models import Review, Submission, SubmissionStatus
from reminders.models import Notification
from tests.builders import complete_lesson

from .conftest import LEVELS_PASS, LEVELS_RETURN

pytestmark = pytest.mark.django_db(transaction=False)


def submit(enrollment, text="My rewrite", base=None):
    submission = services.submission_for(enrollment=enrollment, task_key="rewrite-prompt")
    return services.submission_submit(
        enrollment=enrollment,
        task_key="rewrite-prompt",
        text=text,
        base_version=submission.draft_version if base is None else base,
    )[0]


def grade(reviewer, submission, levels):
    assert services.submission_claim(reviewer=reviewer, submission_id=submission.pk)
    return services.submission_review(
        reviewer=reviewer,
        submission_id=submission.pk,
        levels=levels,
        comments={"removed": "Check the phone number."},
        comment="Good start.",
    )


def test_draft_save_bumps_the_version_and_flags_a_save_from_a_stale_tab(enrollment):
    first, conflict = services.submission_save_draft(
        enrollment=enrollment, task_key="rewrite-prompt", text="one", base_version=0
    )
    assert (first.draft_version, conflict) == (1, False)
    # A second tab still holds version 0: its save wins, and says it replaced newer text.
    second, conflict = services.submission_save_draft(
        enrollment=enrollment, task_key="rewrite-prompt", text="two", base_version=0
    )
    assert conflict is True
    assert (second.draft_version, second.text) == (2, "two")


def test_submit_from_a_stale_tab_saves_the_text_but_does_not_submit(enrollment):
    services.submission_save_draft(
        enrollment=enrollment, task_key="rewrite-prompt", text="one", base_version=0
    )
    submission, conflict = services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="two", base_version=0
    )
    assert conflict is True
    assert (submission.status, submission.text) == (SubmissionStatus.DRAFT, "two")


def test_an_empty_answer_is_refused_and_changes_nothing(enrollment):
    with pytest.raises(ValidationError):
        submit(enrollment, text="   ")
    submission = Submission.objects.get()
    assert (submission.status, submission.attempt) == (SubmissionStatus.DRAFT, 0)
    assert not LearningEvent.objects.filter(verb=Verb.PRACTICE_SUBMITTED).exists()


def test_submit_records_a_learning_event_and_freezes_the_task(enrollment):
    submission = submit(enrollment)
    assert (submission.status, submission.attempt) == (SubmissionStatus.SUBMITTED, 1)
    assert submission.task["pass_mark"] == 3
    event = LearningEvent.objects.get(verb=Verb.PRACTICE_SUBMITTED)
    assert (event.object_key, event.result) == ("rewrite-prompt", {"attempt": 1})


def test_a_task_not_in_the_version_is_refused(enrollment):
    with pytest.raises(ValidationError):
        services.submission_for(enrollment=enrollment, task_key="nope")


def test_submitted_work_cannot_be_edited_until_returned(enrollment):
    submit(enrollment)
    with pytest.raises(ValidationError):
        services.submission_save_draft(
            enrollment=enrollment, task_key="rewrite-prompt", text="late", base_version=1
        )


def test_claim_is_exclusive_until_it_runs_out(world, enrollment):
    submission = submit(enrollment)
    assert services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    assert not services.submission_claim(reviewer=world.a_admin, submission_id=submission.pk)
    later = timezone.now() + timedelta(minutes=services.CLAIM_MINUTES + 1)
    assert services.submission_claim(reviewer=world.a_admin, submission_id=submission.pk, now=later)
    # The first reviewer's claim ran out and was taken: their grade is refused.
    with pytest.raises(ValidationError):
        services.submission_review(
            reviewer=world.a_trainer,
            submission_id=submission.pk,
            levels=LEVELS_PASS,
            comments={},
            comment="",
        )
    assert not Review.objects.exists()


def test_reviewers_of_another_agency_and_learners_cannot_claim(world, enrollment):
    submission = submit(enrollment)
    assert not services.submission_claim(reviewer=world.b_admin, submission_id=submission.pk)
    assert not services.submission_claim(reviewer=world.a_learner, submission_id=submission.pk)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_a_missing_level_is_refused(world, enrollment):
    submission = submit(enrollment)
    services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    with pytest.raises(ValidationError):
        services.submission_review(
            reviewer=world.a_trainer,
            submission_id=submission.pk,
            levels={"removed": "1"},
            comments={},
            comment="",
        )
    assert Submission.objects.get().status == SubmissionStatus.CLAIMED


def test_below_the_pass_mark_returns_and_tells_the_learner(
    world, enrollment, django_capture_on_commit_callbacks
):
    submission = submit(enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        review = grade(world.a_trainer, submission, LEVELS_RETURN)
    assert (review.outcome, review.points) == ("returned", 2)
    assert review.scores["removed"] == {
        "level": 0,
        "points": 0,
        "comment": "Check the phone number.",
    }
    assert Submission.objects.get().status == SubmissionStatus.RETURNED
    assert LearningEvent.objects.filter(verb=Verb.PRACTICE_RETURNED).count() == 1
    note = Notification.objects.get(user=world.a_learner)
    assert "returned" in note.title and note.url.endswith("/tasks/rewrite-prompt/")
    assert [m.to for m in mail.outbox] == [[world.a_learner.email]]


def test_resubmissions_are_limited(world, enrollment):
    grade(world.a_trainer, submit(enrollment), LEVELS_RETURN)
    second = submit(enrollment, text="Better")
    assert second.attempt == 2
    grade(world.a_trainer, second, LEVELS_RETURN)
    with pytest.raises(ValidationError):
        submit(enrollment, text="Third")  # one resubmission allowed
    assert Submission.objects.get().attempt == 2


def test_passing_the_last_step_completes_the_course_and_issues_the_certificate(world, enrollment):
    complete_lesson(enrollment, "one")
    complete_lesson(enrollment, "two")
    grade(world.a_trainer, submit(enrollment), LEVELS_PASS)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    assert LessonProgress.objects.filter(lesson_key="practice:rewrite-prompt").count() == 1
    assert LearningEvent.objects.filter(verb=Verb.PRACTICE_PASSED).count() == 1


def test_passing_counts_as_a_step_in_the_progress(world, enrollment):
    grade(world.a_trainer, submit(enrollment), LEVELS_PASS)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 33  # one step of three


def test_a_course_shared_by_another_agency_is_reviewed_by_the_learners_agency(world, course):
    from courses import services as course_services
    from learning import services as learning_services

    course_services.course_update(
        actor=world.a_trainer,
        course=course,
        expected_revision=course.draft_revision,
        visibility="chosen",
        shared_with=[world.b],
    )
    enrollment = learning_services.enrollment_create(user=world.b_learner, course=course)
    submission = submit(enrollment)
    assert not services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    assert services.submission_claim(reviewer=world.b_admin, submission_id=submission.pk)


def file_upload(name="notes.pdf", data=b"%PDF-1.4 test"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def file_course(world):
    from tests.builders import simple_course, with_practice_task

    course = simple_course(world.a_trainer, world.a, slug="files-task", title="Files")
    return with_practice_task(
        world.a_trainer, course, hand_in="files", file_types=[".pdf"], max_file_mb=1
    )


def test_files_of_the_wrong_type_size_or_content_are_refused(
    world, file_course, settings, tmp_path
):
    from learning import services as learning_services

    settings.MEDIA_ROOT = tmp_path
    enrollment = learning_services.enrollment_create(user=world.a_learner, course=file_course)
    for upload in (
        file_upload("notes.txt", b"text"),
        file_upload("fake.pdf", b"not a pdf"),
        file_upload("big.pdf", b"%PDF" + b"x" * (1024 * 1024)),
    ):
        with pytest.raises(ValidationError):
            services.submission_file_add(
                enrollment=enrollment, task_key="rewrite-prompt", upload=upload
            )
    with pytest.raises(ValidationError):
        submit(enrollment, text="")  # files asked, none given
    added = services.submission_file_add(
        enrollment=enrollment, task_key="rewrite-prompt", upload=file_upload()
    )
    assert added.file.name.startswith(f"practice-files/{added.submission_id}/")
    assert submit(enrollment, text="").status == SubmissionStatus.SUBMITTED


def test_a_reopened_enrollment_redoes_the_task_and_keeps_the_passed_work(world, enrollment):
    from learning import services as learning_services
    from practice import selectors

    first = submit(enrollment)
    grade(world.a_trainer, first, LEVELS_PASS)
    reopened = learning_services.enrollment_reopen(enrollment=enrollment, period=2, due_on=None)

    assert selectors.learner_submission(reopened, "rewrite-prompt") is None  # a fresh start
    second = submit(reopened, "This cycle's rewrite")
    assert second.pk != first.pk
    assert (second.period, second.status, second.attempt) == (2, SubmissionStatus.SUBMITTED, 1)
    first.refresh_from_db()
    assert (first.period, first.status, first.text) == (1, SubmissionStatus.PASSED, "My rewrite")
    assert first.reviews.count() == 1  # the earlier cycle's record stays

    grade(world.a_trainer, second, LEVELS_PASS)
    credits = LessonProgress.objects.filter(
        enrollment=enrollment, lesson_key="practice:rewrite-prompt"
    )
    assert sorted(credits.values_list("period", flat=True)) == [1, 2]
