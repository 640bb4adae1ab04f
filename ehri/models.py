"""EHRI training feed: the agency's reporting settings, course coding, employee identifiers,
feed exports, and what each export reported (for corrections). Written by ehri's services only.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from courses.models import Course, CourseVersion
from live.models import LiveSession

from .codes import (
    CREDIT_TYPE_CHOICES,
    DELIVERY_CHOICES,
    DESIGNATION_CHOICES,
    INDICATOR_CHOICES,
    PURPOSE_CHOICES,
    SOURCE_CHOICES,
    TYPE_CHOICES,
    VALUE_MAX_LENGTH,
)

CODE_VALIDATOR = RegexValidator(r"^[A-Za-z0-9]{1,10}$", _("Use letters and digits only."))


class ReportingAgency(models.Model):
    """An agency that reports training to OPM (its monthly feed is produced); with
    `require_coding`, its courses cannot be published until they are coded."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    subelement_code = models.CharField(
        _("agency subelement code"), max_length=10, validators=[CODE_VALIDATOR]
    )
    require_coding = models.BooleanField(
        _("courses must be coded for OPM before they are published"), default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.agency_id} {self.subelement_code}"


class Coding(models.Model):
    """The EHRI fields of a training (course, course version or live session): OPM's value
    lists as choices where they were confirmed (ehri.codes), free text where not."""

    course_number_code = models.CharField(_("course number code"), max_length=40, blank=True)
    training_purpose_type = models.CharField(
        _("training purpose type"), max_length=VALUE_MAX_LENGTH, blank=True, choices=PURPOSE_CHOICES
    )
    training_type_code = models.CharField(
        _("training type code"), max_length=VALUE_MAX_LENGTH, blank=True, choices=TYPE_CHOICES
    )
    training_sub_type_code = models.CharField(
        _("training sub type code"), max_length=10, blank=True, validators=[CODE_VALIDATOR]
    )
    training_delivery_type_code = models.CharField(
        _("training delivery type code"),
        max_length=VALUE_MAX_LENGTH,
        blank=True,
        choices=DELIVERY_CHOICES,
    )
    training_designation_type_code = models.CharField(
        _("training designation type code"),
        max_length=VALUE_MAX_LENGTH,
        blank=True,
        choices=DESIGNATION_CHOICES,
    )
    training_source_type_code = models.CharField(
        _("training source type code"),
        max_length=VALUE_MAX_LENGTH,
        blank=True,
        choices=SOURCE_CHOICES,
    )
    training_credit = models.DecimalField(
        _("training credit"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    training_credit_type_code = models.CharField(
        _("training credit type code"),
        max_length=VALUE_MAX_LENGTH,
        blank=True,
        choices=CREDIT_TYPE_CHOICES,
    )
    training_accreditation_indicator = models.CharField(
        _("training accreditation indicator"), max_length=2, choices=INDICATOR_CHOICES, default="N"
    )
    continued_service_agreement_required_indicator = models.CharField(
        _("continued service agreement required indicator"),
        max_length=2,
        choices=INDICATOR_CHOICES,
        default="N",
    )
    duty_hours = models.DecimalField(
        _("training duty hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: the course's estimated time, in hours to one decimal."),
    )

    class Meta:
        abstract = True


class CourseCoding(Coding):
    """The EHRI fields of one course for one agency: the owner's coding, or (agency != owner)
    an agency's override for a course shared with it, used for that agency's feed only."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "agency"], name="ehri_coding_once"),
            models.CheckConstraint(
                condition=Q(duty_hours__isnull=True) | Q(duty_hours__gt=0),
                name="ehri_coding_positive_hours",
            ),
        ]

    def __str__(self):
        return f"{self.course_id}@{self.agency_id}"


class EmployeeId(models.Model):
    """The agency's own employee identifier for one person (never an SSN)."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV import")
        MANUAL = "manual", _("Entered by an agency admin")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    employee_id = models.CharField(_("employee id"), max_length=40)
    source = models.CharField(max_length=8, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="ehri_employee_once"),
            models.UniqueConstraint(
                fields=["agency", "employee_id"], name="ehri_employee_id_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.employee_id}"


class FeedExport(models.Model):
    """One produced feed: the period's completions as XML and delimited, plus corrections."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    records = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)
    xml_file = models.FileField(max_length=300, blank=True)
    delimited_file = models.FileField(max_length=300, blank=True)
    corrections_file = models.FileField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="ehri_period_order"
            )
        ]

    def __str__(self):
        return f"EHRI {self.agency_id} {self.period_start}..{self.period_end} ({self.status})"


class ReportedRecord(models.Model):
    """A completion that a feed reported, as reported: the base for corrections later."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    export = models.ForeignKey(FeedExport, on_delete=models.CASCADE, related_name="reported")

    class Source(models.TextChoices):
        COURSE = "course", _("Course")
        SESSION = "session", _("Live session")

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.COURSE)
    # The enrollment's id (course) or the registration's (session); not a FK: a deleted one
    # is a correction.
    enrollment_id = models.BigIntegerField()
    period = models.PositiveIntegerField(default=1)
    employee_identifier = models.CharField(max_length=40)
    course_title = models.CharField(max_length=200)
    end_date = models.DateField()
    corrected_in = models.ForeignKey(
        FeedExport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    correction = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "enrollment_id", "period", "end_date"],
                name="ehri_reported_once",
            )
        ]
        indexes = [models.Index(fields=["agency", "corrected_in"])]

    def __str__(self):
        return f"{self.enrollment_id}/{self.period} {self.end_date}"


class VersionCoding(Coding):
    """The owner's coding as it stood when a version was published (complete codings only):
    the coding of every completion of that version, whatever the owner changes later."""

    version = models.OneToOneField(CourseVersion, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    frozen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"v{self.version_id}@{self.agency_id}"


class SessionCoding(Coding):
    """The EHRI fields of one live session for one agency: the owner's coding (agency = the
    session's agency), set by its host or its agency's admins; or (agency != the session's)
    the override of an agency the session is shared with, set by that agency's admins and
    used for its feed only. An attended session is a completion for the feed of each
    attendee's agency, with that agency's override, else the owner's coding."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "agency"], name="ehri_session_coding_once"),
            models.CheckConstraint(
                condition=Q(duty_hours__isnull=True) | Q(duty_hours__gt=0),
                name="ehri_session_coding_positive_hours",
            ),
        ]

    def __str__(self):
        return f"session {self.session_id}@{self.agency_id}"
