"""Provisioning over SCIM 2.0: an agency's bearer tokens, and what SCIM knows of each person
that Academy's own tables do not hold (externalId, the department sent, deletion)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Membership


class ScimToken(models.Model):
    """A bearer token an agency's identity provider sends to /scim/v2/. Only the SHA-256 of the
    token is stored (the token itself is shown once, when created); `prefix` lets people tell
    tokens apart on the page."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.revoked_at is None


class ScimPerson(models.Model):
    """SCIM's view of one member of the agency: written by the SCIM endpoints only. A member who
    was never provisioned has no row (and reads as not deleted, no externalId)."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="scim_person"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255, blank=True)
    # The name's parts as sent (Academy itself keeps one full name, on the user).
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    # The enterprise extension's department as last sent, and whether it named a unit.
    department = models.CharField(max_length=200, blank=True)
    unit_matched = models.BooleanField(default=True)
    # Set by DELETE: the resource is gone for SCIM (404, in no list) while Academy keeps the
    # person, deactivated. A POST of the same userName brings them back.
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "external_id"]),
            models.Index(
                fields=["agency", "department"],
                condition=Q(unit_matched=False),
                name="scim_person_unmatched",
            ),
        ]

    def __str__(self):
        return f"{self.membership_id} ({self.external_id})"
