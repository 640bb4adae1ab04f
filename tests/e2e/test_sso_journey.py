"""A person of an agency that signs in through its own identity provider gets from the home page
to My learning without a password: the sign-in page asks for the email, sends them to the
provider (oidc-provider-mock, a real OpenID Connect server, on loopback), and back; their
account is made in the agency and the unit their unit code names. Signing out of Academy then
goes to the provider's sign-out."""

import pytest
from oidc_provider_mock import User, run_server_in_thread

from agencies.models import Membership, Role
from sso.models import IdentityProvider
from tests.builders import make_member
from tests.e2e.conftest import nav
from tests.factories import AgencyFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSON = User(
    sub="employee-4711",
    claims={
        "email": "robin.lee@example.gov",
        "given_name": "Robin",
        "family_name": "Lee",
        "unit": "FO-2",
    },
)


@pytest.fixture
def mock_provider():
    with run_server_in_thread(require_nonce=True, user_claims=[PERSON]) as server:
        yield f"http://localhost:{server.server_port}"


def test_a_person_signs_in_through_the_agency_provider(page, axe_check, mock_provider):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    unit = UnitFactory(agency=agency, name="Field office two", code="FO-2")
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")
    IdentityProvider.objects.create(
        agency=agency,
        kind=IdentityProvider.Kind.OIDC,
        name="Examples ID",
        issuer=mock_provider,
        client_id="academy",
        client_auth=IdentityProvider.ClientAuth.CLIENT_SECRET_BASIC,
        client_secret="secret",
        unit_attribute="unit",
        sso_only=True,
    )

    page.goto("/")
    nav(page, "Sign in")
    axe_check(page)
    page.get_by_label("Email address").fill("robin.lee@example.gov")
    page.get_by_role("button", name="Continue").click()

    # The provider's own page (a test provider: it lets one choose who signs in).
    page.wait_for_url(f"{mock_provider}/oauth2/authorize*")
    page.get_by_role("button", name=PERSON.sub).click()

    page.wait_for_url("**/")
    assert "Agency of Examples" in page.locator("header.usa-header").inner_text()
    axe_check(page)
    nav(page, "My learning")
    page.wait_for_url("**/learn/")
    axe_check(page)
    membership = Membership.objects.select_related("user").get(user__email="robin.lee@example.gov")
    assert (membership.agency, membership.unit, membership.role) == (agency, unit, Role.LEARNER)
    assert membership.user.full_name == "Robin Lee"

    # Signing out of Academy goes on to the provider's sign-out.
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    header.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{mock_provider}/oauth2/end_session*")
