"""Assignments of training, reminder policies, the reminder log and in-app notifications.

An Assignment says "this course (or path) for these people, due then". Each person it reaches
gets one Assignee row per course: their own due date, the current recurrence period, and
`next_remind_at`, the moment the scanner must look at them again (an indexed column, computed
in the agency's time zone, so the scan is one range query whatever the time zones).

ReminderLog holds one row per reminder ever decided, under a unique `key`; the row is written
before the message goes to the mail backend, which is what makes sending exactly-once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Unit
from courses.models import Course, LearningPath


class TargetKind(models.TextChoices):
    AGENCY = "agency", _("The whole agency")
    UNIT = "unit", _("A unit and all units below it")
    PEOPLE = "people", _("Chosen people")


class RecurAnchor(models.TextChoices):
    COMPLETION = "completion", _("After the last completion")
    CALENDAR = "calendar", _("On a fixed calendar date")


class MaterialiseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")


class Assignment(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("course"),
    )
    path = models.ForeignKey(
        LearningPath,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("learning path"),
    )
    target = models.CharField(_("assigned to"), max_length=10, choices=TargetKind.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("unit"),
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people")
    )
    # Who may see the assignment: "/" agency-wide, else the unit path (managers see their subtree).
    scope_path = models.CharField(max_length=500, db_index=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_days = models.PositiveIntegerField(_("days after being assigned"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    recur_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"), null=True, blank=True
    )
    recur_anchor = models.CharField(
        _("repeat from"), max_length=10, choices=RecurAnchor.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed on"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Materialisation progress, written by the Celery task batch by batch.
    status = models.CharField(
        max_length=10, choices=MaterialiseStatus.choices, default=MaterialiseStatus.PENDING
    )
    people_total = models.PositiveIntegerField(default=0)
    people_done = models.PositiveIntegerField(default=0)
    cursor_user_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(course__isnull=False, path__isnull=True)
                    | Q(course__isnull=True, path__isnull=False)
                ),
                name="assignment_course_xor_path",
            ),
            models.CheckConstraint(
                condition=(
                    Q(due_on__isnull=False, due_days__isnull=True)
                    | Q(due_on__isnull=True, due_days__isnull=False)
                ),
                name="assignment_due_date_xor_days",
            ),
            models.CheckConstraint(
                condition=~Q(target="unit") | Q(unit__isnull=False),
                name="assignment_unit_target_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(recur_months__isnull=True) | Q(recur_months__gte=1),
                name="assignment_recur_months_positive",
            ),
        ]
        indexes = [models.Index(fields=["agency", "removed_at"])]

    def __str__(self):
        return str(self.course or self.path)

    @property
    def is_active(self):
        return self.removed_at is None

    @property
    def progress_percent(self):
        if self.status == MaterialiseStatus.DONE or not self.people_total:
            return 100 if self.status == MaterialiseStatus.DONE else 0
        return min(100, round(100 * self.people_done / self.people_total))


class Assignee(models.Model):
    """One person and one course reached by an assignment, with their own due date and period."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assignees")
    enrollment = models.ForeignKey(
        "learning.Enrollment", on_delete=models.CASCADE, related_name="assignees"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    period = models.PositiveIntegerField(default=1)
    period_start = models.DateField()
    due_on = models.DateField()
    is_active = models.BooleanField(default=True)
    next_remind_at = models.DateTimeField(null=True, blank=True)
    # The exception in force for this person ("" none): an extension keeps its own due date
    # when the assignment's changes; an exemption makes the row inactive (not reminded).
    exception = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "enrollment"], name="assignee_once_per_assignment"
            ),
        ]
        indexes = [
            # The scanner's only query: "who needs looking at now".
            models.Index(
                fields=["next_remind_at"], condition=Q(is_active=True), name="assignee_next_remind"
            ),
            models.Index(fields=["agency", "unit_path", "due_on"]),
            models.Index(fields=["enrollment", "is_active"]),
        ]

    def __str__(self):
        return f"{self.assignment_id}:{self.user_id}:{self.period}"


class ExceptionKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    EXEMPTION = "exemption", _("Exemption")


class AssignmentException(models.Model):
    """A recorded exception for one person of an assignment: an extension (their own, later
    due date) or an exemption (not required, not reminded), with who decided it and why. Rows
    are history: the latest one of an assignee is the one in force."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="exceptions")
    assignee = models.ForeignKey(Assignee, on_delete=models.CASCADE, related_name="exceptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind.choices)
    due_on = models.DateField(_("new due date"), null=True, blank=True)
    previous_due_on = models.DateField(_("previous due date"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment exception")
        verbose_name_plural = _("assignment exceptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="extension", due_on__isnull=False)
                    | Q(kind="exemption", due_on__isnull=True)
                ),
                name="assignment_exception_extension_has_date",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="assignment_exception_has_reason"),
        ]
        indexes = [models.Index(fields=["assignment", "-created_at"])]

    def __str__(self):
        return f"{self.assignment_id}:{self.user_id}:{self.kind}"


def default_before_days():
    return [14, 7, 1]


def default_expiry_before_days():
    return [60, 30, 7]


class ReminderPolicy(models.Model):
    """How an agency reminds people. Absent row = the defaults below."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="reminder_policy")
    before_days = models.JSONField(_("days before the due date"), default=default_before_days)
    on_due_date = models.BooleanField(_("remind on the due date"), default=True)
    overdue_every_days = models.PositiveSmallIntegerField(
        _("while overdue, remind every (days)"), default=7
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("tell the manager after (days overdue)"), default=7
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"),
        default=0,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    send_hour = models.PositiveSmallIntegerField(_("send from (hour, agency time)"), default=7)
    # Certificates that expire (a course's validity): the learner is reminded this many days
    # before; the first step also reopens the course for a new period (the refresher).
    expiry_before_days = models.JSONField(
        _("days before a certificate expires"), default=default_expiry_before_days
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.CheckConstraint(condition=Q(send_hour__lte=23), name="policy_send_hour_valid"),
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1), name="policy_overdue_every_positive"
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} policy"


class Kind(models.TextChoices):
    BEFORE = "before", _("Coming due")
    DUE = "due", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation to manager")
    MANAGER_DIGEST = "manager_digest", _("Manager weekly digest")
    LEARNER_DIGEST = "learner_digest", _("Learner weekly digest")
    NUDGE = "nudge", _("Manager nudge")
    # Recorded by live sessions (reminders.registries.reminder_sources), sent like the others.
    SESSION_DAY = "session_day", _("Live session in 24 hours")
    SESSION_HOUR = "session_hour", _("Live session in 1 hour")
    # A certificate expires soon (reminders.services.expiry), sent like the sources' ones.
    CERTIFICATE_EXPIRING = "cert_expiring", _("Certificate expiring")
    # Recorded by practice (a registered source): a submission waiting longer than the target.
    REVIEW_LATE = "review_late", _("Practice review waiting longer than the target")


class LogStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no longer needed)")


class ReminderLog(models.Model):
    """One reminder, decided once. `key` = kind:enrollment-or-0:period:step:recipient."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    step = models.IntegerField(default=0)
    period = models.PositiveIntegerField(default=0)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        "learning.Enrollment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What a reminder of a registered source is about (a live session's id); its source reads
    # it, reminders does not.
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.UUIDField(default=uuid.uuid4, db_index=True)
    status = models.CharField(max_length=8, choices=LogStatus.choices, default=LogStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["created_by", "kind", "created_at"]),
            # A source asking whether it already logged the reminders about an object in a
            # period (practice's late reviews, every minute): only its rows carry an object.
            models.Index(
                fields=["kind", "object_id", "period"],
                condition=Q(object_id__isnull=False),
                name="reminder_log_object",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LogStatus.values), name="reminder_log_status_valid"
            ),
        ]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """The in-app copy of a reminder: the bell in the header counts the unread ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    log = models.OneToOneField(
        ReminderLog, on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class ReminderPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    recommended_digest = models.BooleanField(
        _("Send me one weekly digest for recommended training instead of separate reminders"),
        default=False,
        help_text=_("Reminders about required training that is overdue are always sent."),
    )
    language = models.CharField(
        _("language for reminders"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: your agency's language."),
    )

    def __str__(self):
        return f"{self.user_id} preferences"
