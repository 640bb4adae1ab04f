"""Learner state: enrollments, lesson progress, quiz attempts, certificates and the event log.

Progress is keyed on the stable lesson, quiz and question keys of the course snapshot (not on
draft row ids), so it survives a republish: an enrollment follows the course's current version
and keeps credit for every key that still exists.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Unit
from courses.models import KEY_MAX, Course, CourseVersion


class EnrollmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Enrollment(models.Model):
    """One learner in one course, following `version` (moved to the current one on access)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+")
    # Copied from the membership at enrollment so agency and unit reports need no join.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="enrollments")
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.NOT_STARTED,
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    final_score = models.PositiveSmallIntegerField(_("final score (%)"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=False)
    last_lesson_key = models.CharField(max_length=KEY_MAX, blank=True)
    # Recurring training (reminders.Assignment) reopens the enrollment for period 2, 3, ...
    period = models.PositiveIntegerField(_("period"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # When anything an integrator reads last changed (status, progress, dates, unit, terms):
    # set by every service that writes those, in the same UPDATE. The API's incremental sync
    # pages through (updated_at, id).
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the completion was imported from the agency's former system (history import,
    # learning.services.history): completed before Academy, without a certificate.
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_once_per_course"),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="enrollment_progress_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values), name="enrollment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="completed_enrollment_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "course", "status"]),
            models.Index(fields=["agency", "unit", "status"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["agency", "updated_at", "id"], name="enrollment_sync"),
            # The API's completions sync (`?status=completed`): its cursor's index holds only
            # completions, so a page reads no other row (docs/performance.md).
            models.Index(
                fields=["agency", "updated_at", "id"],
                condition=Q(status="completed"),
                name="enrollment_completions_sync",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.course_id}"

    @property
    def is_completed(self):
        return self.status == EnrollmentStatus.COMPLETED


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lessons")
    # The enrollment's period when the lesson was done: a reopened recurring training starts
    # a new period, and the earlier periods' progress stays as history.
    period = models.PositiveIntegerField(default=1)
    lesson_key = models.CharField(max_length=KEY_MAX)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "period", "lesson_key"],
                name="lesson_progress_once_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id}:{self.lesson_key}"


class QuizAttempt(models.Model):
    """One attempt at one quiz: the drawn questions and choice order are fixed at the start.

    `drawn` is [{question_key, choice_keys (display order)}]; `answers` is
    {question_key: [choice_keys]} for every drawn question once submitted.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    period = models.PositiveIntegerField(default=1)  # as on LessonProgress
    quiz_key = models.CharField(max_length=KEY_MAX)
    number = models.PositiveSmallIntegerField()
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+")
    drawn = models.JSONField(default=list)
    started_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["quiz_key", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "period", "quiz_key", "number"],
                name="attempt_number_unique_per_period",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "period", "quiz_key"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_attempt_per_quiz_and_period",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="attempt_score_lte_100"
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id}:{self.quiz_key}#{self.number}"

    @property
    def is_open(self):
        return self.submitted_at is None


class Certificate(models.Model):
    """Proof of completion. Names are copied at issue so the certificate reads as issued."""

    # The certificate of the enrollment's current period; a recurring assignment that reopens
    # the enrollment for a new period detaches it (enrollment=None). `issued_for` always names
    # the enrollment it was earned in, and `period` which period: earlier certificates stay
    # valid for their period.
    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="certificate"
    )
    issued_for = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, related_name="certificates"
    )
    period = models.PositiveIntegerField(_("period"), default=1)
    code = models.CharField(_("verification code"), max_length=40, unique=True)
    learner_name = models.CharField(_("name"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    agency_name = models.CharField(_("agency"), max_length=200)
    issued_at = models.DateTimeField(_("issued on"), auto_now_add=True)
    # Set at issue from the validity of the version the certificate was earned on (None: never
    # expires); a later republish or a change of the course's validity never moves it.
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    # When the expiry was recorded (learning.services.certificates_expire, beat): from then the
    # enrollment counts as expired, not compliant, in the reports' aggregates.
    expired_at = models.DateTimeField(_("expiry recorded on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="revocation_has_reason",
            ),
        ]
        indexes = [
            # certificates_expire: the valid certificates whose expiry has come, not yet recorded.
            models.Index(
                fields=["expires_at"],
                condition=Q(expired_at__isnull=True, expires_at__isnull=False),
                name="certificate_to_expire",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_valid(self):
        return self.revoked_at is None

    def is_expired(self, now=None) -> bool:
        """Past its expiry date (whether or not the beat has recorded it yet)."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def has_expired(self) -> bool:
        return self.is_expired()


class Verb(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    LESSON_COMPLETED = "lesson_completed", _("completed a lesson")
    ATTEMPT_STARTED = "attempt_started", _("started a quiz attempt")
    ATTEMPT_SUBMITTED = "attempt_submitted", _("submitted a quiz attempt")
    COURSE_COMPLETED = "course_completed", _("completed a course")
    CERTIFICATE_ISSUED = "certificate_issued", _("was issued a certificate")
    CERTIFICATE_REVOKED = "certificate_revoked", _("had a certificate revoked")
    REOPENED = "reopened", _("was assigned the course again for a new period")
    ATTENDED = "attended", _("attended a live session")
    PRACTICE_SUBMITTED = "practice_submitted", _("submitted a practice task")
    PRACTICE_RETURNED = "practice_returned", _("had a practice task returned for more work")
    PRACTICE_PASSED = "practice_passed", _("passed a practice task")


class LearningEvent(models.Model):
    """Append-only log of learning steps (who, verb, object, result, when) for dashboards/xAPI."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=24, choices=Verb.choices)
    object_type = models.CharField(max_length=20)
    object_key = models.CharField(max_length=120, blank=True)
    course = models.ForeignKey(Course, on_delete=models.SET_NULL, null=True, related_name="+")
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["agency", "created_at"]),
            models.Index(fields=["course", "verb"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_id} {self.verb} {self.object_key}"
