"""Reads of agency sign-in: which provider an address signs in with, and the admin's lists."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.domains import agency_for_email

from .models import IdentityProvider, SsoIdentity


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider of the agency whose approved domains include `email`'s (the first
    by name when it has several), or None: that address signs in with a password."""
    agency = agency_for_email(email) if "@" in (email or "") else None
    if agency is None:
        return None
    return (
        IdentityProvider.objects.filter(agency=agency, enabled=True)
        .select_related("agency")
        .order_by("name", "pk")
        .first()
    )


def password_refusal(email: str) -> str | None:
    """Why `email` may not sign in (or sign up) with a password: its agency signs in through its
    identity provider only. Platform admins and staff keep their password (break-glass, with
    MFA)."""
    provider = provider_for_email(email)
    if (
        provider is None
        or not IdentityProvider.objects.filter(
            agency_id=provider.agency_id, enabled=True, sso_only=True
        ).exists()
    ):
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is not None and (user.is_platform_admin or user.is_staff or user.is_superuser):
        return None
    return _(
        "%(agency)s signs in through its own identity provider: enter your email address and "
        "choose Continue."
    ) % {"agency": provider.agency.name}


def provider_list(*, user, agency) -> list[IdentityProvider]:
    """The providers of `agency`, for its admins and platform admins; with how many people each
    has signed in, and how many asserted a unit code that names no unit."""
    if not actor_for(user).administers_agency(agency.pk):
        return []
    return list(
        IdentityProvider.objects.filter(agency=agency)
        .annotate(
            people=Count("identities"),
            unmatched=Count("identities", filter=Q(identities__unit_matched=False)),
        )
        .order_by("name", "pk")
    )


def provider_for_admin(*, user, agency, public_id) -> IdentityProvider:
    """One provider of the agency the acting user administers (DoesNotExist otherwise)."""
    if not actor_for(user).administers_agency(agency.pk):
        raise IdentityProvider.DoesNotExist
    return IdentityProvider.objects.select_related("default_unit").get(
        agency=agency, public_id=public_id
    )


def unmatched_unit_codes(*, provider) -> list[dict]:
    """The unit codes the provider asserted that name no unit: code, how many people."""
    return list(
        SsoIdentity.objects.filter(provider=provider, unit_matched=False)
        .values("unit_code")
        .annotate(people=Count("id"))
        .order_by("unit_code")
    )
