"""An agency's rules of behaviour for AI tools: a draft, immutable published versions, and
each person's acknowledgements of them, plus the exactly-once log of reminder emails."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, UnitCount, unique_per_unit


class AgencyPolicy(models.Model):
    """One per agency: the draft the admins edit and the terms of acknowledgement."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="ai_policy")
    draft_title = models.CharField(_("title"), max_length=200, blank=True)
    draft_body_en = models.TextField(_("policy text (English, Markdown)"), blank=True)
    draft_body_fr = models.TextField(_("policy text (French, Markdown)"), blank=True)
    due_days = models.PositiveSmallIntegerField(_("days to acknowledge"), default=30)
    yearly = models.BooleanField(_("ask again every year"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(due_days__gte=1) & Q(due_days__lte=365), name="policy_due_days_range"
            )
        ]

    def __str__(self):
        return f"AI policy of {self.agency_id}"


class PolicyVersion(models.Model):
    """A published version. Never changed once written (no service updates it)."""

    policy = models.ForeignKey(AgencyPolicy, on_delete=models.CASCADE, related_name="versions")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_en = models.TextField()
    body_fr = models.TextField(blank=True)
    html_en = models.TextField()
    html_fr = models.TextField(blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_once"),
        ]
        indexes = [models.Index(fields=["agency", "-number"])]

    def __str__(self):
        return f"{self.title} v{self.number}"


class Acknowledgement(models.Model):
    """A person's signed acknowledgement of one version: the record kept. `round` counts
    the person's acknowledgements of that version (yearly re-acknowledgement adds one)."""

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    round = models.PositiveSmallIntegerField(default=0)
    typed_name = models.CharField(max_length=200)
    acknowledged_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user", "round"], name="policy_acknowledgement_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "version", "-acknowledged_at"])]

    def __str__(self):
        return f"{self.user_id} acknowledged {self.version_id}"


class AcknowledgementCell(UnitCount):
    """`n` active members of this unit whose latest acknowledgement of this version was on
    this day: the dashboard's figure of who has acknowledged which version.

    Each (person, version) is counted once, on the day of their latest acknowledgement of it
    (a yearly renewal moves them to the new day), in the unit they are in now. Kept in step in
    the same transaction by `policy_acknowledge` and by policies' subscribers to the member
    events (moved, deactivated, reactivated); recomputed and repaired nightly like reports'
    cells (registered in `reports.registries.aggregate_sources`). The day lets a yearly
    policy count only the acknowledgements of the last 365 days without a write.
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    n = models.IntegerField(default=0)

    KEY_FIELDS = ("agency_id", "unit_id", "version_id", "day")
    VALUE_FIELDS = ("n",)

    class Meta:
        constraints = unique_per_unit("policy_ack_cell", ["version", "day"])
        indexes = [models.Index(fields=["agency", "version", "day"])]

    def __str__(self):
        return f"{self.agency_id}/{self.unit_id} v{self.version_id} {self.day}: {self.n}"


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (acknowledged meanwhile)")


class PolicyReminder(models.Model):
    """One reminder email, decided once: one row per person, version, kind and cycle (`cycle`
    is the day the request to acknowledge opened, so a yearly renewal has reminders of its own).
    Written before the email leaves; only pending rows are claimed, so nothing is sent twice."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    cycle = models.DateField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version", "kind", "cycle"], name="policy_reminder_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="policy_reminder_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.user_id} v{self.version_id} {self.cycle}"
