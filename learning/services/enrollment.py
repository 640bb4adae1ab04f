"""Enrolling, following new versions, lesson progress and course completion.

Each public service locks the enrollment once, reads its state before the change, makes every
change of the call (progress, completion, certificate), appends its learning events in one
INSERT, and publishes one `EnrollmentsChanged` with the state before and after.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from courses.access import course_visible_q
from courses.models import Course, Status

from ..content import live_credit_key, outline, practice_credit_key, version_outline
from ..events import EnrollmentState, publish_enrollment_changes
from ..expiry import expiry_for
from ..models import Certificate, Enrollment, EnrollmentStatus, LessonProgress, QuizAttempt, Verb
from .events import EventBatch, event_record
from .terms import assignment_terms

CODE_BYTES = 16  # certificate codes: 22 URL-safe characters, 128 bits, not guessable


def _lock(enrollment: Enrollment) -> Enrollment:
    """The enrollment re-read under a row lock, with its version (serialises a learner's writes)."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("version", "course", "user", "agency")
        .get(pk=enrollment.pk)
    )


def _publish(enrollment: Enrollment, before: EnrollmentState | None) -> None:
    publish_enrollment_changes([(before, EnrollmentState.of(enrollment))])


def enrollment_create(
    *, user, course: Course, due_on: datetime.date | None = None, required: bool = False
) -> Enrollment:
    """Enroll `user` in a published course visible to their agency; a second call is a no-op.

    Assignments pass `required` and `due_on`: on an existing enrollment they apply the one
    assignment rule (`terms.assignment_terms`). Refuses (ValidationError) users without an
    agency membership and courses that are not published or not visible to the user's agency.
    """
    actor = actor_for(user)
    if actor.agency_id is None:
        raise ValidationError(_("You need to belong to an agency to enroll in a course."))
    with transaction.atomic():
        course = (
            Course.objects.filter(course_visible_q(user), status=Status.PUBLISHED)
            .select_related("current_version")
            .filter(pk=course.pk)
            .first()
        )
        if course is None:
            raise ValidationError(_("This course is not available to your agency."))
        enrollment, created = Enrollment.objects.get_or_create(
            user=user,
            course=course,
            defaults={
                "version": course.current_version,
                "agency_id": actor.agency_id,
                "unit_id": actor.unit_id,
                "due_on": due_on,
                "required": required,
            },
        )
        if created:
            publish_enrollment_changes([(None, EnrollmentState.of(enrollment, certified=False))])
            event_record(
                enrollment=enrollment,
                verb=Verb.ENROLLED,
                object_type="course",
                object_key=course.slug,
                result={"version": course.current_version.number},
            )
            return enrollment
        terms = assignment_terms(
            required_now=enrollment.required,
            due_now=enrollment.due_on,
            completed=enrollment.is_completed,
            required=required,
            due_on=due_on,
        )
        if terms != (enrollment.required, enrollment.due_on):
            # Re-read under the lock so the change starts from the stored row.
            enrollment = _lock(enrollment)
            before = EnrollmentState.of(enrollment)
            enrollment.required, enrollment.due_on = assignment_terms(
                required_now=enrollment.required,
                due_now=enrollment.due_on,
                completed=enrollment.is_completed,
                required=required,
                due_on=due_on,
            )
            enrollment.updated_at = timezone.now()
            enrollment.save(update_fields=["required", "due_on", "updated_at"])
            _publish(enrollment, before)
    return enrollment


def _done(enrollment: Enrollment) -> tuple[set, dict]:
    """(LessonProgress keys: lessons done and live steps credited, {quiz key: best passing
    score}) in the enrollment's current period."""
    lessons = set(
        LessonProgress.objects.filter(enrollment=enrollment, period=enrollment.period).values_list(
            "lesson_key", flat=True
        )
    )
    best: dict[str, int] = {}
    for key, score in QuizAttempt.objects.filter(
        enrollment=enrollment, period=enrollment.period, passed=True
    ).values_list("quiz_key", "score"):
        best[key] = max(best.get(key, 0), score or 0)
    return lessons, best


def _complete(enrollment: Enrollment, plan, best: dict, log: EventBatch) -> list[str]:
    """Mark the locked enrollment completed and issue its certificate; returns changed fields."""
    now = timezone.now()
    scores = [best[key] for key in plan.quiz_keys if key in best]
    enrollment.status, enrollment.completed_at = EnrollmentStatus.COMPLETED, now
    enrollment.progress_percent = 100
    enrollment.final_score = round(sum(scores) / len(scores)) if scores else None
    enrollment.started_at = enrollment.started_at or now
    log.add(
        enrollment=enrollment,
        verb=Verb.COURSE_COMPLETED,
        object_type="course",
        object_key=enrollment.course.slug,
        result={
            "score": enrollment.final_score,
            "completion": True,
            "version": enrollment.version.number,
        },
    )
    return ["status", "completed_at", "progress_percent", "final_score", "started_at"]


def certificate_code() -> str:
    """A new certificate code that starts with a letter or digit: a code starting with "-"
    would read as a formula in a spreadsheet (and be escaped in every CSV export)."""
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if code[0].isalnum():
            return code


def _issue_certificate(enrollment: Enrollment, log: EventBatch) -> Certificate:
    """Create the certificate of a just-completed enrollment (none exists for this period:
    completion happens once per period under the enrollment lock)."""
    user = enrollment.user
    certificate = Certificate.objects.create(
        expires_at=expiry_for(timezone.now(), enrollment.version.snapshot),
        enrollment=enrollment,
        issued_for=enrollment,
        period=enrollment.period,
        code=certificate_code(),
        learner_name=user.full_name or user.email,
        course_title=enrollment.version.title,
        agency_name=enrollment.agency.name,
    )
    log.add(
        enrollment=enrollment,
        verb=Verb.CERTIFICATE_ISSUED,
        object_type="certificate",
        object_key=certificate.code,
    )
    return certificate


def _advance(enrollment: Enrollment, log: EventBatch) -> None:
    """Bring the locked, not yet completed enrollment's status, percent and completion in line
    with what is done (saving once, issuing the certificate on completion)."""
    plan = outline(enrollment.version.snapshot)
    lessons, best = _done(enrollment)
    live_done = {key for key in plan.live if live_credit_key(key) in lessons}
    practice_done = {key for key in plan.practice if practice_credit_key(key) in lessons}
    total = len(plan.lessons) + len(plan.quizzes) + len(plan.live) + len(plan.practice)
    done = (
        len(lessons & set(plan.lessons))
        + len(set(best) & set(plan.quizzes))
        + len(live_done)
        + len(practice_done)
    )
    fields = []
    if enrollment.status == EnrollmentStatus.NOT_STARTED:
        enrollment.status, enrollment.started_at = EnrollmentStatus.IN_PROGRESS, timezone.now()
        fields += ["status", "started_at"]
    completed = done == total
    if completed:
        fields += _complete(enrollment, plan, best, log)
    else:
        percent = min(round(100 * done / total) if total else 100, 99)
        if percent != enrollment.progress_percent:
            enrollment.progress_percent = percent
            fields.append("progress_percent")
    if fields:
        enrollment.updated_at = timezone.now()
        enrollment.save(update_fields=sorted({*fields, "updated_at"}))
    if completed:
        _issue_certificate(enrollment, log)


def _advance_and_publish(enrollment: Enrollment, before: EnrollmentState, log: EventBatch) -> bool:
    """Advance the locked enrollment unless it is already completed, append the call's events
    and publish the change; returns whether the enrollment is completed."""
    was_completed = enrollment.is_completed
    if not was_completed:
        _advance(enrollment, log)
    log.save()
    completed_now = enrollment.is_completed and not was_completed  # its certificate was issued
    publish_enrollment_changes(
        [
            (
                before,
                EnrollmentState.of(
                    enrollment,
                    certified=completed_now or before.certified,
                    expired=before.expired and not completed_now,
                ),
            )
        ]
    )
    return enrollment.is_completed


def enrollment_sync_version(*, enrollment: Enrollment, course_fresh: bool = False) -> Enrollment:
    """Move the enrollment onto the course's current version (on access after a republish).

    `course_fresh`: the enrollment's course was read with it in this request (the player's
    lookup), so its current version need not be read again.

    Credit is keyed on lesson and quiz keys, so every lesson and quiz that still exists keeps
    its progress; progress is recomputed against the new version. A completed enrollment stays
    on the version it completed. Safe to call at any time; a no-op when already current.
    """
    if course_fresh:
        current_id = enrollment.course.current_version_id
    else:
        current_id = Course.objects.values_list("current_version_id", flat=True).get(
            pk=enrollment.course_id
        )
    if enrollment.is_completed or current_id is None or enrollment.version_id == current_id:
        return enrollment
    with transaction.atomic():
        enrollment = _lock(enrollment)
        current_id = Course.objects.values_list("current_version_id", flat=True).get(
            pk=enrollment.course_id
        )
        if enrollment.is_completed or enrollment.version_id == current_id:
            return enrollment
        before = EnrollmentState.of(enrollment, certified=False)
        enrollment.version_id = current_id
        enrollment.save(update_fields=["version"])
        enrollment = _lock(enrollment)
        if enrollment.status != EnrollmentStatus.NOT_STARTED:
            _advance_and_publish(enrollment, before, EventBatch())
    return enrollment


def enrollment_visit(*, enrollment: Enrollment, lesson_key: str) -> Enrollment:
    """Remember where the learner is (for "Continue"), and mark the course as started."""
    if lesson_key not in version_outline(enrollment.version).lessons:
        raise ValidationError(_("This lesson is not part of the course."))
    if enrollment.last_lesson_key == lesson_key and enrollment.started_at:
        return enrollment
    now = timezone.now()
    changes = {"last_lesson_key": lesson_key}
    with transaction.atomic():
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson_key=lesson_key)
        if enrollment.status == EnrollmentStatus.NOT_STARTED:
            locked = _lock(enrollment)
            if locked.status == EnrollmentStatus.NOT_STARTED:
                before = EnrollmentState.of(locked, certified=False)
                Enrollment.objects.filter(pk=enrollment.pk).update(
                    status=EnrollmentStatus.IN_PROGRESS, started_at=now, updated_at=now
                )
                locked.status, locked.started_at = EnrollmentStatus.IN_PROGRESS, now
                _publish(locked, before)
            changes.update(status=EnrollmentStatus.IN_PROGRESS, started_at=now)
    for name, value in changes.items():
        setattr(enrollment, name, value)
    return enrollment


def lesson_complete(*, enrollment: Enrollment, lesson_key: str) -> LessonProgress:
    """Mark a lesson of the enrollment's version done. Idempotent: one row however often called.

    The enrollment row lock serialises concurrent clicks; the unique constraint backs it up.
    Records the lesson_completed event once, updates progress, and completes the course when
    this was the last thing to do.
    """
    with transaction.atomic():
        enrollment = _lock(enrollment)
        if lesson_key not in outline(enrollment.version.snapshot).lessons:
            raise ValidationError(_("This lesson is not part of the course."))
        progress, created = LessonProgress.objects.get_or_create(
            enrollment=enrollment, period=enrollment.period, lesson_key=lesson_key
        )
        if created:
            log = EventBatch()
            log.add(
                enrollment=enrollment,
                verb=Verb.LESSON_COMPLETED,
                object_type="lesson",
                object_key=lesson_key,
            )
            _advance_and_publish(enrollment, EnrollmentState.of(enrollment), log)
    return progress


def enrollment_complete_if_done(*, enrollment: Enrollment) -> bool:
    """Complete the enrollment when every lesson is done and every quiz passed.

    Records the completion once (time, final score = mean of the best passing score of each
    quiz, or None without quizzes), issues the certificate and emits course_completed. Safe to
    call twice; returns whether the enrollment is complete.
    """
    with transaction.atomic():
        enrollment = _lock(enrollment)
        if enrollment.is_completed:
            return True
        return _advance_and_publish(enrollment, EnrollmentState.of(enrollment), EventBatch())


def enrollment_reopen(
    *, enrollment: Enrollment, period: int, due_on: datetime.date | None
) -> Enrollment:
    """Reopen a completed enrollment for a new period of recurring training.

    The earlier completion stays in the event log, and its certificate stays valid for its
    period (detached from the enrollment, still `issued_for` it). Lesson progress and quiz
    attempts restart for the new period; the earlier periods' rows stay as history. The
    enrollment moves to the course's current version. Idempotent: a period that is not newer
    than the current one is a no-op.
    """
    with transaction.atomic():
        enrollment = _lock(enrollment)
        if period <= enrollment.period:
            return enrollment
        before = EnrollmentState.of(enrollment)
        Certificate.objects.filter(enrollment=enrollment).update(enrollment=None)
        enrollment.period, enrollment.due_on = period, due_on
        enrollment.status, enrollment.progress_percent = EnrollmentStatus.NOT_STARTED, 0
        enrollment.started_at = enrollment.completed_at = enrollment.final_score = None
        enrollment.last_lesson_key = ""
        enrollment.version_id = enrollment.course.current_version_id or enrollment.version_id
        enrollment.updated_at = timezone.now()
        enrollment.save(
            update_fields=[
                "updated_at",
                "period",
                "due_on",
                "status",
                "progress_percent",
                "started_at",
                "completed_at",
                "final_score",
                "last_lesson_key",
                "version",
            ]
        )
        _publish(enrollment, before)
        event_record(
            enrollment=enrollment,
            verb=Verb.REOPENED,
            object_type="course",
            object_key=enrollment.course.slug,
            result={"period": period, "due_on": due_on.isoformat() if due_on else None},
        )
    return enrollment
