"""Agency sign-in through the agency's own identity provider (OpenID Connect or SAML 2.0).

An agency admin (or a platform admin) configures providers for the agency on
Manage > Sign-in (SSO). The sign-in page asks for the email first; an address on the approved
domains of an agency with an enabled provider goes to that provider. `SsoIdentity` remembers
which provider asserted which subject for which person, so a changed email at the provider still
finds the same Academy account.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Unit


class IdentityProvider(models.Model):
    class Kind(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    class ClientAuth(models.TextChoices):
        PRIVATE_KEY_JWT = "private_key_jwt", _("Signed key (private_key_jwt)")
        CLIENT_SECRET_BASIC = "client_secret_basic", _("Client secret (HTTP Basic)")
        CLIENT_SECRET_POST = "client_secret_post", _("Client secret (in the request body)")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="identity_providers")
    # In the provider's URLs (redirect URI, JWKS, SAML metadata): stable and not guessable.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("protocol"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Members of the agency must sign in through a provider: no password sign-in.
    sso_only = models.BooleanField(_("SSO only"), default=False)
    default_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default unit"),
    )
    # Claim or attribute names.
    email_attribute = models.CharField(_("email attribute"), max_length=200, default="email")
    given_name_attribute = models.CharField(
        _("given name attribute"), max_length=200, default="given_name", blank=True
    )
    family_name_attribute = models.CharField(
        _("family name attribute"), max_length=200, default="family_name", blank=True
    )
    unit_attribute = models.CharField(_("unit code attribute"), max_length=200, blank=True)
    groups_attribute = models.CharField(_("groups attribute"), max_length=200, blank=True)
    # {"group value": "role"}: the role a member of that group gets (the highest wins).
    group_roles = models.JSONField(default=dict, blank=True)

    # OpenID Connect.
    issuer = models.URLField(_("issuer"), max_length=300, blank=True)
    client_id = models.CharField(_("client id"), max_length=300, blank=True)
    client_auth = models.CharField(
        _("client authentication"),
        max_length=24,
        choices=ClientAuth.choices,
        default=ClientAuth.PRIVATE_KEY_JWT,
    )
    # Stored as given (Academy must send it); never shown back on the page.
    client_secret = models.CharField(max_length=500, blank=True)
    # Academy's own key pair for private_key_jwt: the private JWK (JSON); its public half is
    # published at the provider's JWKS URL.
    signing_key = models.JSONField(null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile")
    acr_values = models.CharField(_("acr_values"), max_length=500, blank=True)
    discovery = models.JSONField(null=True, blank=True)
    discovery_fetched_at = models.DateTimeField(null=True, blank=True)

    # SAML 2.0.
    metadata_url = models.URLField(_("metadata URL"), max_length=500, blank=True)
    metadata_xml = models.TextField(_("metadata"), blank=True)
    entity_id = models.CharField(_("identity provider entity id"), max_length=500, blank=True)
    # Academy's own key pair for this IdP, to sign its LogoutRequest: {"key": private key PEM,
    # "certificate": self-signed certificate PEM}, the certificate published in Academy's SP
    # metadata (KeyDescriptor use="signing"). Made when the provider is saved.
    sp_key_pair = models.JSONField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency_id", "name", "id"]

    def __str__(self):
        return self.name


class SsoIdentity(models.Model):
    """A person as one provider knows them: the OIDC `sub` or the SAML NameID."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    # The unit code last asserted, and whether it named a unit of the agency (the admin's page
    # lists the codes that did not).
    unit_code = models.CharField(max_length=200, blank=True)
    unit_matched = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique"),
        ]

    def __str__(self):
        return self.subject


class UsedAssertion(models.Model):
    """An assertion (SAML) or ID token (OIDC `jti`/nonce) already accepted: a replay of it is
    refused until it expires, after which it is deleted."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=300)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "assertion_id"], name="sso_used_assertion_unique"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return self.assertion_id
