"""The platform's issuer keys and the Open Badges credential of each certificate."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IssuerKey(models.Model):
    """An RSA key pair that signs credentials (RS256). One key is active at a time; rotation
    retires it (it signs no more) but keeps it published so what it signed still verifies."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)  # the JWK thumbprint
    private_jwk = models.JSONField()
    public_jwk = models.JSONField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_issuer_key"
            ),
        ]

    def __str__(self):
        return self.kid


class Credential(models.Model):
    """The OpenBadgeCredential issued for one certificate: the document and its VC-JWT.

    `status_index` is the credential's bit in the revocation status list; it is drawn at random
    (herd privacy: neighbours in the list are not neighbours in time)."""

    certificate = models.OneToOneField(
        "learning.Certificate", on_delete=models.CASCADE, related_name="credential"
    )
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField(unique=True)
    document = models.JSONField()
    signed = models.TextField()
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self):
        return self.document.get("id", "")


class CredentialPolicy(models.Model):
    """An agency's choices for its members' credentials (no row: the defaults). Kept here, not
    on `agencies.Agency`, so agencies needs no migration for a credentials setting."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="credential_policy"
    )
    include_result = models.BooleanField(
        _("include the result (final score) in the credential"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("credential policy")
        verbose_name_plural = _("credential policies")

    def __str__(self):
        return f"{self.agency_id} credential policy"
