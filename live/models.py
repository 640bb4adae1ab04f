"""Live sessions (workshops, livestreams, office hours), their series and registrations.

Times are stored in UTC and shown in the viewer's agency time zone. The app is downstream of
agencies, courses and learning: none of them imports it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Unit
from courses.models import KEY_MAX, Course, Language, LearningPath, Topic


class Format(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


class Accommodation(models.TextChoices):
    CAPTIONING = "captioning", _("Live captioning")
    SIGN_LANGUAGE = "sign_language", _("Sign-language interpreter")
    OTHER = "other", _("Other")


class Sharing(models.TextChoices):
    """Whether a session is open to every agency: its trainers ask, a platform admin decides
    (as for courses); until approved it keeps its own audience."""

    NONE = "none", _("Own agency only")
    REQUESTED = "requested", _("Every agency: waiting for a platform admin's approval")
    APPROVED = "approved", _("Every agency")
    REJECTED = "rejected", _("Every agency: refused by a platform admin")


class Series(models.Model):
    """One session repeated on several dates; each date is its own LiveSession with its own
    registrations."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class LiveSession(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    # No unit: the whole agency; else people of these units and the units below them.
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("units"))
    # The courses' topics, so the live sessions list filters by the catalog's topics.
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))
    sharing = models.CharField(
        _("every agency"), max_length=10, choices=Sharing.choices, default=Sharing.NONE
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A session belongs to a course or to a learning path (not both): attending it credits a
    # live-session step of that course, or of the path's courses (learning's attendances_record).
    path = models.ForeignKey(
        LearningPath,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("learning path"),
    )
    # The key of the live-session step of `course` that attending credits (a courses.LiveStep
    # key, stable across versions); empty: the first live-session step not yet done.
    credits_step = models.SlugField(
        _("live-session step it credits"), max_length=KEY_MAX, blank=True, default=""
    )
    # Raised on every change that a calendar must hear of (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    is_cancelled = models.BooleanField(default=False)
    checkin_code = models.CharField(max_length=12, blank=True)
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)
    materials = models.TextField(_("materials"), blank=True)
    materials_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["agency", "starts_at"]),
            models.Index(fields=["sharing", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=True) | Q(path__isnull=True),
                name="live_course_or_path",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="live_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="live_capacity_positive"),
            models.CheckConstraint(condition=Q(format__in=Format.values), name="live_format_valid"),
            models.CheckConstraint(
                condition=Q(sharing__in=Sharing.values), name="live_sharing_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_online(self) -> bool:
        return self.format in (Format.ONLINE, Format.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (Format.IN_PERSON, Format.HYBRID)


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")


class Registration(models.Model):
    """One person's place at one session. Registered and attended hold a seat; the waiting
    list is numbered 1..n with no gap (renumbered under the session's row lock)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    accommodations = models.JSONField(default=list, blank=True)
    accommodation_other = models.CharField(max_length=300, blank=True)
    accommodation_arranged = models.BooleanField(default=False)
    # The calendar event's UID, stable for this session and person, and its SEQUENCE.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_one_registration"),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="live_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="waitlisted", waitlist_position__gte=1)
                    | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True))
                ),
                name="live_waitlist_position_iff_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.user} @ {self.session}"

    @property
    def holds_seat(self) -> bool:
        return self.status in (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class CalendarFeed(models.Model):
    """A person's private calendar feed of their sessions: the token in the URL is the only
    credential (calendar apps send no cookie); resetting it revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"calendar feed of {self.user}"


class AttendanceCount(models.Model):
    """Aggregate cell: of the people of `agency` and `unit` (None: no unit) placed at `session`
    (their own agency, also at a session another agency shares with every agency), `seated`
    held a seat and `attended` attended. Rewritten for a session by every service that changes
    its registrations (in their transaction, under the session's lock) and recomputed nightly
    through reports.registries.aggregate_sources; the dashboard sums the cells of sessions that
    have ended (no-shows = seated - attended), never the registrations."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="+")
    seated = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "unit_id", "session_id")
    VALUE_FIELDS = ("seated", "attended")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit"],
                condition=Q(unit__isnull=False),
                name="live_attendancecount_unique",
            ),
            models.UniqueConstraint(
                fields=["session", "agency"],
                condition=Q(unit__isnull=True),
                name="live_attendancecount_unique_agency_no_unit",
            ),
        ]
        indexes = [models.Index(fields=["agency", "unit"])]

    def __str__(self):
        return f"{self.session_id}/{self.unit_id}: {self.attended}/{self.seated}"


class AssignTarget(models.TextChoices):
    AGENCY = "agency", _("The whole agency")
    UNIT = "unit", _("A unit and the units below it")
    PEOPLE = "people", _("Some people")


class SessionAssignment(models.Model):
    """A manager's or agency admin's assignment of a session to their agency, a unit subtree or
    some people, within their scope: the people targeted were registered (or put on the waiting
    list) through `registration_create`, and My learning shows the session as assigned, due at
    its start. One `SessionAssignee` row per person targeted."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="assignments")
    # The assigner's agency: every person assigned is a member of it.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(_("assigned to"), max_length=10, choices=AssignTarget.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__in=AssignTarget.values), name="live_assign_target_valid"
            ),
            models.CheckConstraint(
                condition=Q(target="unit", unit__isnull=False) | ~Q(target="unit"),
                name="live_assign_unit_target_has_unit",
            ),
        ]
        indexes = [models.Index(fields=["agency", "session"])]

    def __str__(self):
        return f"{self.session_id} → {self.target}"


class SessionAssignee(models.Model):
    """One person a session was assigned to (a person may be assigned the same session twice,
    by two assignments; My learning shows it once)."""

    assignment = models.ForeignKey(
        SessionAssignment, on_delete=models.CASCADE, related_name="assignees"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="live_one_assignee"),
        ]

    def __str__(self):
        return f"{self.user_id} ← {self.assignment_id}"
