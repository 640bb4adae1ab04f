"""Reads of credentials for display and publication. Keys and the status list are public;
a learner's credential is read through learning's certificate access check (views)."""

from django.db.models import Count

from .models import Credential, CredentialPolicy, IssuerKey
from .status_list import bitstring, encode, list_size, status_list_credential


def published_keys() -> list[IssuerKey]:
    """Every issuer key, active and retired, oldest first (one query)."""
    return list(IssuerKey.objects.only("kid", "public_jwk", "active", "created_at"))


def keys_with_counts() -> list[IssuerKey]:
    """Every issuer key, newest first, with how many credentials it signed (one query)."""
    return list(
        IssuerKey.objects.defer("private_jwk")
        .annotate(signed=Count("credentials"))
        .order_by("-created_at", "-id")
    )


def published_key(kid: str) -> IssuerKey | None:
    return IssuerKey.objects.filter(kid=kid).only("kid", "public_jwk").first()


def revocation_bits() -> bytes:
    """The revocation list as bits: one query for the revoked indexes, whatever their number."""
    revoked = list(
        Credential.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True)
    )
    return bitstring(revoked, size=list_size(max(revoked, default=None)))


def revocation_list_credential() -> dict:
    """The unsigned BitstringStatusListCredential of the revocation list as it is now."""
    return status_list_credential(encode(revocation_bits()))


def credential_policy(*, agency_id: int) -> CredentialPolicy:
    """The agency's credential options (an unsaved row with the defaults when it has none)."""
    return CredentialPolicy.objects.filter(agency_id=agency_id).first() or CredentialPolicy(
        agency_id=agency_id
    )
