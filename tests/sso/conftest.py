import pytest
import requests
from django.test import Client
from django.utils.html import escape

from agencies.models import Role
from sso import oidc, services
from sso.models import IdentityProvider
from tests.builders import make_member
from tests.factories import AgencyFactory, UnitFactory

from .idp import TestProvider, running
from .saml_idp import SamlTestIdp
from .saml_idp import running as saml_running

SUBJECT = "user-0001"


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])


@pytest.fixture
def admin(agency):
    return make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")


@pytest.fixture
def field_office(agency):
    return UnitFactory(agency=agency, name="Field office", code="FO-1")


@pytest.fixture
def idp():
    provider = TestProvider(client_id="academy-examples")
    with running(provider):
        provider.user = {
            "sub": SUBJECT,
            "email": "Pat.Doe@example.gov",
            "given_name": "Pat",
            "family_name": "Doe",
            "unit": "fo-1",
            "groups": ["training-admins"],
        }
        yield provider


@pytest.fixture
def provider(agency, admin, idp, field_office):
    """An OIDC provider of the agency using private_key_jwt, saved through the admin's service
    (which fetches the discovery document over HTTP); the test provider trusts its public key."""
    saved = services.provider_save(
        actor=admin,
        agency=agency,
        provider=None,
        values={
            "kind": IdentityProvider.Kind.OIDC,
            "name": "Examples ID",
            "issuer": idp.base,
            "client_id": idp.client_id,
            "acr_values": "http://idmanagement.gov/ns/assurance/aal/2",
            "unit_attribute": "unit",
            "groups_attribute": "groups",
            "group_roles": {"training-admins": Role.TRAINER},
        },
    )
    idp.client_jwks = oidc.public_jwks(saved)
    return saved


# Entra ID's claim names for the person; Okta-style plain names for the unit and groups.
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
FAMILY = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
SAML_SUBJECT = "saml-user-0001"


@pytest.fixture
def saml_idp():
    idp = SamlTestIdp()
    with saml_running(idp):
        idp.subject = SAML_SUBJECT
        idp.attributes = {
            EMAIL: ["Pat.Doe@example.gov"],
            GIVEN: ["Pat"],
            FAMILY: ["Doe"],
            "unitCode": ["fo-1"],
            "memberOf": ["training-admins"],
        }
        yield idp


@pytest.fixture
def saml_provider(agency, admin, saml_idp, field_office):
    """A SAML provider of the agency saved through the admin's service, which reads the IdP's
    metadata from its URL; the IdP then trusts Academy's SP metadata read from its entity id."""
    saved = services.provider_save(
        actor=admin,
        agency=agency,
        provider=None,
        values={
            "kind": IdentityProvider.Kind.SAML,
            "name": "Examples SAML",
            "metadata_url": f"{saml_idp.base}/metadata",
            "email_attribute": EMAIL,
            "given_name_attribute": GIVEN,
            "family_name_attribute": FAMILY,
            "unit_attribute": "unitCode",
            "groups_attribute": "memberOf",
            "group_roles": {"training-admins": Role.TRAINER, "academy-admins": Role.AGENCY_ADMIN},
        },
    )
    sp_metadata = Client().get(f"/sso/{saved.public_id}/saml/metadata/")
    assert sp_metadata.status_code == 200
    saml_idp.trust_sp(sp_metadata.content.decode())
    return saved


def sign_in_through(client, idp, email="pat.doe@example.gov", next_url=""):
    """Walk the round trip as a browser would: the email step, Academy's start, the provider's
    authorization (over real HTTP), and back to Academy's callback. Returns the callback's
    response."""
    step = client.post(
        "/accounts/login/" + (f"?next={next_url}" if next_url else ""), {"login": email}
    )
    assert step.status_code == 302, step.content[:500]
    authorize = handed_over(client.get(step["Location"]))
    assert authorize.startswith(idp.base + "/authorize?")
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    callback = answer.headers["Location"]
    assert callback.startswith("http://testserver/")
    return client.get(callback.removeprefix("http://testserver"))


def handed_over(response) -> str:
    """Where a hand-over page (templates/sso/continue.html) sends the browser: its meta refresh
    and its Continue link both carry the address."""
    assert response.status_code == 200
    url = response.context["url"]
    page = response.content.decode()
    assert f'<meta http-equiv="refresh" content="0;url={escape(url)}">' in page
    assert f'href="{escape(url)}"' in page
    return url
