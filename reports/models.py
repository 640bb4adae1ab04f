"""Dashboard aggregates, daily snapshots, report runs and report subscriptions.

The aggregate "cells" are counts keyed by agency, unit, course and required flag plus one more
key (status, due date, completion day or days-to-complete bucket); roll-ups drop the course
(UnitCell) or the unit (CourseCell) so that agency-wide figures read a few rows per unit or per
course, not one per unit x course (and per week, not per day, for the trends). The learning services update
them in the same transaction as the enrollment they change (reports.services.aggregates), and a
nightly task recomputes them from the enrollments and repairs any drift.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Unit, UnitCount, unique_per_unit
from courses.models import Course, LearningPath

from .registries import report_kind_choices


def _cell_constraints(name, extra):
    return unique_per_unit(name, ["course", "required", *extra])


class UnitCell(UnitCount):
    """A roll-up row without the course: `n` enrollments of this unit share the key.

    The unit breakdown and the trend of a dashboard with no course filter read these (a few
    rows per unit) rather than the unit x course cells.
    """

    required = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    KEY_FIELDS: tuple[str, ...] = ()
    VALUE_FIELDS: tuple[str, ...] = ("n",)

    class Meta:
        abstract = True

    def __str__(self):
        keys = ", ".join(str(getattr(self, name)) for name in self.KEY_FIELDS)
        return f"{type(self).__name__}({keys}) = {self.n}"


def _unit_cell_constraints(name, extra):
    return unique_per_unit(name, ["required", *extra])


class Cell(UnitCell):
    """An aggregate row: `n` enrollments share this key. Never edited by hand."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class EnrollmentCount(Cell):
    """Enrollments per status, with running sums for the average score and certificates."""

    status = models.CharField(max_length=12)
    score_sum = models.BigIntegerField(default=0)
    score_n = models.IntegerField(default=0)
    certified = models.IntegerField(default=0)
    # Completions imported from the agency's former system (learning.services.history).
    imported = models.IntegerField(default=0)
    # Completed, but the certificate has expired (learning.services.certificates_expire): not
    # compliant any more.
    expired = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "unit_id", "course_id", "required", "status")
    VALUE_FIELDS = ("n", "score_sum", "score_n", "certified", "imported", "expired")

    class Meta:
        constraints = _cell_constraints("enrollmentcount", ["status"])


class OpenDueCount(Cell):
    """Open (not completed) enrollments per due date: overdue = the sum of dates before today."""

    due_on = models.DateField()

    KEY_FIELDS = ("agency_id", "unit_id", "course_id", "required", "due_on")

    class Meta:
        constraints = _cell_constraints("openduecount", ["due_on"])
        indexes = [models.Index(fields=["agency", "due_on"])]


class CompletionDay(Cell):
    """Completions per calendar day (UTC), for trends and date-range figures."""

    day = models.DateField()

    KEY_FIELDS = ("agency_id", "unit_id", "course_id", "required", "day")

    class Meta:
        constraints = _cell_constraints("completionday", ["day"])
        indexes = [models.Index(fields=["agency", "day"])]


class CompletionTime(Cell):
    """A histogram of days from start to completion; `bucket` is the bucket's first day.

    The median time to complete is read from it (see services.aggregates.DAY_BUCKETS).
    """

    bucket = models.PositiveSmallIntegerField()

    KEY_FIELDS = ("agency_id", "unit_id", "course_id", "required", "bucket")

    class Meta:
        constraints = _cell_constraints("completiontime", ["bucket"])


class CourseCell(models.Model):
    """A roll-up row without the unit: `n` enrollments of the agency in this course.

    Agency-wide per-course figures and trends read these (a few rows per course).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    KEY_FIELDS: tuple[str, ...] = ()
    VALUE_FIELDS: tuple[str, ...] = ("n",)

    class Meta:
        abstract = True

    def __str__(self):
        keys = ", ".join(str(getattr(self, name)) for name in self.KEY_FIELDS)
        return f"{type(self).__name__}({keys}) = {self.n}"


def _course_cell_constraints(name, extra):
    return [
        models.UniqueConstraint(
            fields=["agency", "course", "required", *extra], name=f"{name}_unique"
        )
    ]


class UnitOpenDue(UnitCell):
    """OpenDueCount summed over courses: overdue per unit."""

    due_on = models.DateField()

    KEY_FIELDS = ("agency_id", "unit_id", "required", "due_on")

    class Meta:
        constraints = _unit_cell_constraints("unitopendue", ["due_on"])
        # On PostgreSQL, migration 0006 adds unitopendue_overdue (agency, required, due_on)
        # INCLUDE (unit_id, n): an agency's overdue per unit is read from the index alone.


class CourseOpenDue(CourseCell):
    """OpenDueCount summed over units: overdue per course, agency-wide."""

    due_on = models.DateField()

    KEY_FIELDS = ("agency_id", "course_id", "required", "due_on")

    class Meta:
        constraints = _course_cell_constraints("courseopendue", ["due_on"])


class UnitCompletionWeek(UnitCell):
    """Completions per unit and week (`week` is the Monday, UTC): the unit trend."""

    week = models.DateField()

    KEY_FIELDS = ("agency_id", "unit_id", "required", "week")

    class Meta:
        constraints = _unit_cell_constraints("unitcompletionweek", ["week"])
        indexes = [models.Index(fields=["week"])]


class CourseCompletionWeek(CourseCell):
    """Completions per course and week (`week` is the Monday, UTC): the agency trend."""

    week = models.DateField()

    KEY_FIELDS = ("agency_id", "course_id", "required", "week")

    class Meta:
        constraints = _course_cell_constraints("coursecompletionweek", ["week"])
        indexes = [models.Index(fields=["week"])]  # every agency's last weeks (platform view)


class CourseCompletionTime(CourseCell):
    """CompletionTime summed over units: the agency-wide median days to complete per course."""

    bucket = models.PositiveSmallIntegerField()

    KEY_FIELDS = ("agency_id", "course_id", "required", "bucket")

    class Meta:
        constraints = _course_cell_constraints("coursecompletiontime", ["bucket"])


class UnitEnrollmentCount(UnitCell):
    """EnrollmentCount summed over courses: enrollments per unit and status (unit breakdown)."""

    status = models.CharField(max_length=12)
    score_sum = models.BigIntegerField(default=0)
    score_n = models.IntegerField(default=0)
    certified = models.IntegerField(default=0)
    # Completions imported from the agency's former system (learning.services.history).
    imported = models.IntegerField(default=0)
    # Completed, but the certificate has expired (learning.services.certificates_expire): not
    # compliant any more.
    expired = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "unit_id", "required", "status")
    VALUE_FIELDS = ("n", "score_sum", "score_n", "certified", "imported", "expired")

    class Meta:
        constraints = _unit_cell_constraints("unitenrollmentcount", ["status"])


class CourseEnrollmentCount(CourseCell):
    """EnrollmentCount summed over units: enrollments per course and status, agency-wide (the
    per-course table, and per agency side by side for platform admins)."""

    status = models.CharField(max_length=12)
    score_sum = models.BigIntegerField(default=0)
    score_n = models.IntegerField(default=0)
    certified = models.IntegerField(default=0)
    # Completions imported from the agency's former system (learning.services.history).
    imported = models.IntegerField(default=0)
    # Completed, but the certificate has expired (learning.services.certificates_expire): not
    # compliant any more.
    expired = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "course_id", "required", "status")
    VALUE_FIELDS = ("n", "score_sum", "score_n", "certified", "imported", "expired")

    class Meta:
        constraints = _course_cell_constraints("courseenrollmentcount", ["status"])


class MemberCount(UnitCount):
    """`n` memberships share this key: agency, unit, active, activated (signed in once).

    Kept in step by the membership services (agencies.services) and the first sign-in
    (accounts.services) through reports.services.members, in the same transaction; recomputed
    from the memberships and users by the nightly task like the enrollment cells.
    """

    active = models.BooleanField()
    activated = models.BooleanField()
    n = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "unit_id", "active", "activated")
    VALUE_FIELDS = ("n",)

    class Meta:
        constraints = unique_per_unit("membercount", ["active", "activated"])

    def __str__(self):
        return (
            f"MemberCount({self.agency_id}, {self.unit_id}, {self.active}, "
            f"{self.activated}) = {self.n}"
        )


# Every table kept in step with the enrollments (by the learning services) and the members
# (MemberCount, by the membership services), and repaired by the nightly recompute.
ENROLLMENT_AGGREGATE_MODELS = (
    EnrollmentCount,
    OpenDueCount,
    CompletionDay,
    CompletionTime,
    UnitOpenDue,
    CourseOpenDue,
    UnitCompletionWeek,
    CourseCompletionWeek,
    CourseCompletionTime,
    UnitEnrollmentCount,
    CourseEnrollmentCount,
)
MEMBER_AGGREGATE_MODELS = (MemberCount,)
# The nightly recompute reads them through reports.registries.aggregate_sources.


class DailySnapshot(UnitCount):
    """The state of one unit (or the unit-less people of an agency) at the end of one day."""

    day = models.DateField()
    members = models.IntegerField(default=0)
    activated = models.IntegerField(default=0)
    enrolled = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    active_learners = models.IntegerField(
        default=0, help_text="People with a learning event in the 7 days ending on `day`."
    )
    learners_started = models.IntegerField(default=0)
    learners_completed = models.IntegerField(default=0)

    FIGURES = (
        "members",
        "activated",
        "enrolled",
        "in_progress",
        "completed",
        "overdue",
        "completions",
        "active_learners",
        "learners_started",
        "learners_completed",
    )

    class Meta:
        ordering = ["day"]
        constraints = unique_per_unit("snapshot", ["day"])
        indexes = [models.Index(fields=["agency", "day"]), models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.agency_id}/{self.unit_id} {self.day}"


class ReportKind(models.TextChoices):
    """The built-in report kinds; every kind, built-in or not, is in registries.report_kinds."""

    COMPLETION = "completion", _("Completion detail")
    OVERDUE = "overdue", _("Overdue list")
    ADOPTION = "adoption", _("Adoption summary per unit")


class ReportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF summary (one page)")


class ReportScope(models.Model):
    """What a report covers: an agency (all agencies when empty), a unit subtree, filters."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    learning_path = models.ForeignKey(
        LearningPath, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    required_only = models.BooleanField(_("required training only"), default=False)
    kind = models.CharField(_("report"), max_length=12, choices=report_kind_choices)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)

    class Meta:
        abstract = True


class ReportSchedule(ReportScope):
    """A manager's subscription: beat produces the report and emails a link."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_schedules"
    )
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices)
    next_run_on = models.DateField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_active", "next_run_on"])]

    def __str__(self):
        return f"{self.user_id} {self.kind}/{self.format} {self.frequency}"


class ReportRun(ReportScope):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("reason"), blank=True)
    file = models.FileField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="failed_report_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(file=""), name="only_done_report_has_file"
            ),
        ]

    def __str__(self):
        return f"{self.kind}.{self.format} #{self.pk} ({self.status})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
