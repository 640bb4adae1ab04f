import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=20)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    mfa_required = models.BooleanField(
        _("require multi-factor authentication"),
        default=False,
        help_text=_("Members must set up an authenticator app before using Academy."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


class AgencyDomain(models.Model):
    """An email domain whose owners may sign up and join the agency as learners, and which the
    agency's admins and managers may invite. Only an approved domain counts: a domain an agency
    admin claims waits (pending) until a platform admin approves it (agencies/domains.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("email domain"), max_length=253)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            # Approved, a domain belongs to one agency; several may ask for it meanwhile.
            models.UniqueConstraint(
                Lower("domain"),
                condition=Q(status="approved"),
                name="agency_domain_approved_ci_unique",
            ),
            models.UniqueConstraint(
                "agency", Lower("domain"), name="agency_domain_once_per_agency_ci"
            ),
        ]

    def __str__(self):
        return self.domain


class Unit(models.Model):
    """An office or team; units form a tree inside one agency.

    `path` is the materialised list of ancestor ids ("/3/17/42/"), so a subtree is one indexed
    prefix match: `path__startswith=unit.path`.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    # The agency's own short code for the unit (an HR org code), optional; what identity
    # providers send as the SCIM department. Unique in the agency ignoring case, when set.
    code = models.CharField(_("code"), max_length=50, blank=True, default="")
    path = models.CharField(max_length=500, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                F("agency"),
                Lower("code"),
                condition=~Q(code=""),
                name="unit_code_unique_in_agency",
            ),
            models.UniqueConstraint(
                fields=["agency", "parent", "name"], name="unit_name_unique_under_parent"
            ),
            models.UniqueConstraint(
                fields=["agency", "name"],
                condition=Q(parent__isnull=True),
                name="unit_root_name_unique",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return self.path.count("/") - 2


class UnitCount(models.Model):
    """Abstract: a row of figures for one unit of an agency, or (unit None) for its people
    without a unit. The aggregate tables downstream (reports' cells and snapshots, the AI
    policy's acknowledgements) share this shape; `unique_per_unit` gives their keys."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # CASCADE: rows of a deleted unit go; the nightly recomputes rebuild what they counted.
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


def unique_per_unit(name, keys):
    """One row per agency, unit and `keys`; rows without a unit get their own partial index
    (NULLs are distinct in a unique constraint)."""
    return [
        models.UniqueConstraint(
            fields=["agency", "unit", *keys],
            condition=Q(unit__isnull=False),
            name=f"{name}_unique",
        ),
        models.UniqueConstraint(
            fields=["agency", *keys],
            condition=Q(unit__isnull=True),
            name=f"{name}_unique_no_unit",
        ),
    ]


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    TRAINER = "trainer", _("Trainer")
    MANAGER = "manager", _("Manager")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")


class Membership(models.Model):
    """A person's place in Academy: one agency, optionally a unit, and a role there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEARNER)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    # When the role, unit or activity last changed (set by agencies' services); the REST API's
    # people `updated_since` filter reads it with User.updated_at.
    # db_default too: rows written with COPY (the benchmarks' generators) get one.
    updated_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "unit", "role"]),
            models.Index(fields=["agency", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"


class Invitation(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEARNER)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the link stops working; resending sets a new one.
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Made by a platform admin for an address outside the agency's approved domains: honoured
    # at sign-up even when the address's domain belongs to another agency.
    across_domains = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def __str__(self):
        return self.email

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


class AuditEvent(models.Model):
    """Who did what to whom, when, from where, and how it ended. Append-only."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        REJECTED = "rejected", _("Rejected")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target = models.CharField(_("target"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    # {field: [before, after]} for every value the action changed (None before: created).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.outcome}"
