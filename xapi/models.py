"""The agency's learning record store (LRS) and the outbox of xAPI statements for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency


class XapiVersion(models.TextChoices):
    V1_0_3 = "1.0.3", _("xAPI 1.0.3 (every LRS accepts it)")
    V2_0 = "2.0.0", _("xAPI 2.0 (only if your LRS supports it)")


class ActorFormat(models.TextChoices):
    ACCOUNT = "account", _("An opaque id per person (account), no email address")
    MBOX = "mbox", _("The person's email address (mbox)")


class Activity(models.TextChoices):
    """What an agency may choose to send; each maps to one or more xAPI verbs."""

    ENROLLED = "enrolled", _("Enrollments (registered)")
    LESSONS = "lessons", _("Lessons done (experienced)")
    QUIZ_ATTEMPTS = "quiz_attempts", _("Quiz attempts started (attempted)")
    QUESTIONS = "questions", _("Questions answered, right or wrong (answered)")
    QUIZ_RESULTS = "quiz_results", _("Quiz results with the scaled score (passed, failed)")
    COMPLETIONS = "completions", _("Courses completed (completed)")
    CERTIFICATES = "certificates", _("Certificates earned (earned)")
    ATTENDANCE = "attendance", _("Live sessions attended (attended)")
    PRACTICE = (
        "practice",
        _(
            "Practice tasks submitted and reviewed, with the scaled score (submitted, passed, failed)"
        ),
    )


class LrsConfig(models.Model):
    """One agency's LRS. The secret is kept to authenticate to the LRS and never shown back."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("send statements"), default=True)
    endpoint = models.URLField(_("LRS endpoint"), max_length=500)
    key = models.CharField(_("key (user name)"), max_length=200)
    secret = models.CharField(_("secret"), max_length=500)
    version = models.CharField(
        _("xAPI version"), max_length=8, choices=XapiVersion.choices, default=XapiVersion.V1_0_3
    )
    actor_format = models.CharField(
        _("identify people by"),
        max_length=10,
        choices=ActorFormat.choices,
        default=ActorFormat.ACCOUNT,
    )
    activities = models.JSONField(_("activities to send"), default=list)
    # Per agency, made once: the opaque account name is an HMAC of the person's id under it.
    actor_salt = models.CharField(max_length=64, editable=False)
    # Delivery state: consecutive failures of the LRS (outage, 5xx, refused credentials) and
    # when to try again, so a down LRS is asked with backoff, not every minute.
    failures = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.agency_id}: {self.endpoint}"


class Outcome(models.TextChoices):
    WAITING = "waiting", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboxStatement(models.Model):
    """One xAPI statement, written with the learning event it reports and sent later.

    `body` is the statement's JSON exactly as it is sent (frozen at write time): a retry sends
    the same bytes under the same deterministic id, so the LRS stores it once."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    statement_id = models.UUIDField(unique=True)
    verb = models.CharField(max_length=20)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.WAITING)
    tries = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The page's counts per status.
            models.Index(fields=["agency", "status", "id"]),
            # The queue: who has statements waiting, and each agency's oldest first; small
            # whatever the number sent.
            models.Index(
                fields=["agency", "created_at", "id"],
                condition=models.Q(status="waiting"),
                name="xapi_outbox_waiting",
            ),
        ]

    def __str__(self):
        return f"{self.statement_id} {self.verb} {self.status}"
