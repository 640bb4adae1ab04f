"""The demo's agency sign-in: SSO Demo Agency signs in through a test identity provider
(oidc-provider-mock, a real OpenID Connect server for testing) that `make run` starts on
127.0.0.1:8090 with two people on it. Never a real provider: it signs in whoever is chosen."""

import json

from django.conf import settings

from agencies.models import Agency, Role

from .models import IdentityProvider

DEMO_AGENCY = "sso-demo-agency"
DEMO_CLIENT_ID = "academy-demo"
DEMO_CLIENT_SECRET = "academy-demo-secret"  # only for the test provider on loopback
DEMO_PEOPLE = [
    {
        "sub": "sso-demo-learner",
        "email": "sam.rivera@sso-demo.gov",
        "given_name": "Sam",
        "family_name": "Rivera",
        "unit": "SDA-FO",
    },
    {
        "sub": "sso-demo-admin",
        "email": "alex.morgan@sso-demo.gov",
        "given_name": "Alex",
        "family_name": "Morgan",
        "unit": "SDA-HQ",
        "groups": ["academy-admins"],
    },
]


def demo_issuer() -> str:
    return f"http://127.0.0.1:{settings.ACADEMY_DEMO_IDP_PORT}"


def demo_provider_command(python: str) -> list[str]:
    """The command that runs the test provider with the demo's people on it."""
    command = [python, "-m", "oidc_provider_mock", "--port", str(settings.ACADEMY_DEMO_IDP_PORT)]
    command += ["--require-nonce", "true"]
    for person in DEMO_PEOPLE:
        command += ["--user-claims", json.dumps(person)]
    return command


def seed_sso() -> IdentityProvider | None:
    """The demo agency's provider (kept as it is if it exists). The discovery document is read
    at the first sign-in, once the test provider runs."""
    agency = Agency.objects.filter(slug=DEMO_AGENCY).first()
    if agency is None:
        return None
    provider, _created = IdentityProvider.objects.get_or_create(
        agency=agency,
        name="SSO Demo test provider",
        defaults={
            "kind": IdentityProvider.Kind.OIDC,
            "issuer": demo_issuer(),
            "client_id": DEMO_CLIENT_ID,
            "client_auth": IdentityProvider.ClientAuth.CLIENT_SECRET_BASIC,
            "client_secret": DEMO_CLIENT_SECRET,
            "scopes": "openid email profile",
            "unit_attribute": "unit",
            "groups_attribute": "groups",
            "group_roles": {"academy-admins": Role.AGENCY_ADMIN},
            "sso_only": True,
        },
    )
    return provider
