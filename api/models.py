"""The REST API's clients: each OAuth 2.0 application (django-oauth-toolkit's, client
credentials, secret stored hashed) bound to one agency and to the agency admin who created it,
whose rights its tokens act with."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from agencies.models import Agency


class ApiClient(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="api_client"
    )
    # None: a platform client, made by a platform admin, which sees every agency.
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="api_clients"
    )
    name = models.CharField(_("name"), max_length=100)
    # Space-separated, as OAuth 2.0 writes them: what tokens of this client may be given.
    scopes = models.CharField(_("scopes"), max_length=300)
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
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_platform(self) -> bool:
        return self.agency_id is None

    @property
    def is_active(self):
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """A `POST` made with an `Idempotency-Key` header, and the response it got: a retry with
    the same key replays that response instead of acting again."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_once")
        ]

    def __str__(self):
        return self.key
