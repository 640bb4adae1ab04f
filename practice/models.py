"""Practice submissions and their reviews.

A `Submission` is one learner's work on one practice task of a course (the task is known by its
stable key in the learner's version snapshot; `courses` owns the task itself). It moves
draft -> submitted -> claimed (a reviewer holds it until `claimed_until`) -> returned (back to
the learner, who may resubmit while `attempt <= 1 + resubmissions`) or passed. Each graded
attempt leaves one `Review`. Files handed in are `SubmissionFile`s, stored privately and served
only through the access-checked view.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from courses.models import KEY_MAX, Course


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    CLAIMED = "claimed", _("Being reviewed")
    RETURNED = "returned", _("Returned for more work")
    PASSED = "passed", _("Passed")


class Submission(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_submissions"
    )
    # The learner's agency when the submission started: its trainers review it.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        "learning.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    # The enrollment's period (recurrence cycle) the work belongs to: a reopened enrollment (a
    # recurring assignment's next period, a certificate's refresher) starts a new submission,
    # and the earlier period's work stays as the record of that cycle.
    period = models.PositiveIntegerField(default=1)
    task_key = models.CharField(max_length=KEY_MAX)
    task_title = models.CharField(_("task"), max_length=200)
    # The task as the learner's version held it when last submitted (rubric, pass mark,
    # resubmissions): reviewers grade against what the learner was shown.
    task = models.JSONField(default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    text = models.TextField(_("your answer"), blank=True)
    # Bumped by every save of the draft: a form posts the number it started from, and a save
    # from a stale page (another tab) is told its text replaced newer text.
    draft_version = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=0)  # times submitted
    submitted_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "period", "task_key"],
                name="practice_one_submission_per_task_and_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="practice_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="claimed")
                | Q(claimed_by__isnull=False, claimed_until__isnull=False),
                name="practice_claim_has_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "submitted_at"])]

    def __str__(self):
        return f"{self.task_title} ({self.user_id})"


def submission_file_path(instance, filename):
    """A private storage name nobody can guess (served only through an access-checked view)."""
    return f"practice-files/{instance.submission_id}/{secrets.token_urlsafe(16)}/{filename}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="practice_file_name_once")
        ]

    def __str__(self):
        return self.name


class Outcome(models.TextChoices):
    RETURNED = "returned", _("Returned for more work")
    PASSED = "passed", _("Passed")


class Review(models.Model):
    """One graded attempt: the level chosen and a comment per criterion ({criterion key:
    {level, points, comment}}), the total, an overall comment and the outcome."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    attempt = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scores = models.JSONField(default=dict)
    points = models.PositiveIntegerField()
    comment = models.TextField(_("overall comment"), blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "attempt"], name="practice_one_review_per_attempt"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="practice_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.submission_id}#{self.attempt}: {self.outcome}"


REVIEW_TARGET_MAX_HOURS = 720  # 30 days


class PracticeSettings(models.Model):
    """An agency's practice options (no row: the platform defaults). Kept here, not on
    `agencies.Agency`, so agencies needs no migration for a practice setting."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    # How long handed-in work may wait for its review before the dashboard flags it and the
    # reviewers are reminded (PRACTICE_REVIEW_TARGET_HOURS when there is no row).
    review_target_hours = models.PositiveIntegerField(
        _("review target (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(REVIEW_TARGET_MAX_HOURS)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practice settings")
        verbose_name_plural = _("practice settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_target_hours__gte=1)
                & Q(review_target_hours__lte=REVIEW_TARGET_MAX_HOURS),
                name="practice_review_target_in_range",
            )
        ]

    def __str__(self):
        return f"{self.agency_id}: {self.review_target_hours} h"


class CourseReviewer(models.Model):
    """A reviewer an agency names for a course's practice tasks. When an agency has named any
    for a course, only they (among its trainers and admins) see and grade its learners' work on
    that course; with none, every trainer and admin of the agency does. Per agency: a course
    shared with several agencies is reviewed by each learner's own agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "course", "user"], name="practice_course_reviewer_once"
            )
        ]

    def __str__(self):
        return f"{self.course_id}@{self.agency_id}: {self.user_id}"
