"""An agency admin adds the agency's SAML identity provider by uploading its metadata and hands
Academy's SP metadata to the identity team; then a person of the agency gets from the home page
to My learning without a password, through the IdP (a pysaml2 IdP on loopback, tests/sso/
saml_idp.py). The IdP is on another site (127.0.0.1, Academy on localhost), so its POST to the
ACS arrives without Academy's SameSite=Lax session cookie: the "Finishing sign-in" page posts it
again from Academy (its script comes from 'self'; the strict CSP is checked on every page). The
person then signs out through the header's Sign out button, which signs them out of the IdP too
(SAML single logout)."""

import pytest
import requests

from agencies.models import Membership, Role
from sso.models import IdentityProvider
from tests.builders import make_member
from tests.e2e.conftest import nav, sign_in
from tests.factories import AgencyFactory, UnitFactory
from tests.sso.saml_idp import SamlTestIdp, running

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def saml_idp():
    idp = SamlTestIdp()
    with running(idp):
        idp.subject = "employee-0815"
        idp.attributes = {
            "email": ["sam.rivera@example.gov"],
            "givenName": ["Sam"],
            "familyName": ["Rivera"],
            "unitCode": ["FO-3"],
        }
        yield idp


def _sign_out(page):
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    header.get_by_role("button", name="Sign out").click()


def test_an_admin_adds_a_saml_provider_and_a_person_signs_in_through_it(page, axe_check, saml_idp):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    unit = UnitFactory(agency=agency, name="Field office three", code="FO-3")
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")

    # The admin adds the provider from the IdP's metadata file.
    sign_in(page, "admin@example.gov", axe_check=axe_check)
    axe_check(page)
    nav(page, "Manage", "Sign-in (SSO)")
    axe_check(page)
    page.get_by_role("link", name="Add SAML 2.0").click()
    axe_check(page)
    page.locator("#id_name").fill("Examples SAML")
    page.locator("#id_metadata_file").set_input_files(
        files=[
            {
                "name": "idp-metadata.xml",
                "mimeType": "text/xml",
                "buffer": saml_idp.metadata().encode(),
            }
        ]
    )
    page.locator("#id_email_attribute").fill("email")
    page.locator("#id_given_name_attribute").fill("givenName")
    page.locator("#id_family_name_attribute").fill("familyName")
    page.locator("#id_unit_attribute").fill("unitCode")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="For your identity team").wait_for()
    axe_check(page)
    provider = IdentityProvider.objects.get(agency=agency)
    assert provider.entity_id == saml_idp.entity_id

    # The identity team reads Academy's SP metadata at the entity id shown on the page.
    entity_id = page.locator("dd code").first.inner_text()
    assert entity_id.endswith(f"/sso/{provider.public_id}/saml/metadata/")
    saml_idp.trust_sp(requests.get(entity_id, timeout=10).text)
    _sign_out(page)
    page.wait_for_url("**/")

    # A person of the agency signs in through the IdP.
    page.goto("/")
    nav(page, "Sign in")
    page.get_by_label("Email address").fill("sam.rivera@example.gov")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{saml_idp.base}/sso/redirect*")  # the IdP's own page
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    assert "Agency of Examples" in page.locator("header.usa-header").inner_text()
    axe_check(page)
    nav(page, "My learning")
    page.wait_for_url("**/learn/")
    axe_check(page)
    membership = Membership.objects.select_related("user").get(user__email="sam.rivera@example.gov")
    assert (membership.agency, membership.unit, membership.role) == (agency, unit, Role.LEARNER)
    assert membership.user.full_name == "Sam Rivera"

    # Signing out ends Academy's session, then the IdP's: Academy hands the browser over to the
    # IdP's single logout with a signed LogoutRequest, and the IdP's signed LogoutResponse
    # lands on the home page.
    _sign_out(page)
    page.get_by_text("You are signed out.").wait_for()
    assert page.url.rstrip("/").count("/") == 2  # the home page
    axe_check(page)
    (logout_request,) = saml_idp.logout_requests  # its signature verified by the IdP
    assert logout_request.name_id.text == "employee-0815"
    assert "Sign in" in page.locator("header.usa-header").inner_text()


def test_the_finishing_page_works_without_script_and_passes_axe(page, axe_check, saml_idp):
    """With its script held back, the "Finishing sign-in" page stays: it passes axe, and its
    Continue button finishes the sign-in."""
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    IdentityProvider.objects.create(
        agency=agency,
        kind=IdentityProvider.Kind.SAML,
        name="Examples SAML",
        metadata_xml=saml_idp.metadata(),
        entity_id=saml_idp.entity_id,
        email_attribute="email",
        given_name_attribute="givenName",
        family_name_attribute="familyName",
    )
    provider = IdentityProvider.objects.get()
    page.goto("/")  # the live server's address, for the entity id
    sp = requests.get(
        page.url.rstrip("/") + f"/sso/{provider.public_id}/saml/metadata/", timeout=10
    )
    saml_idp.trust_sp(sp.text)
    page.route(
        "**/js/sso-continue.js",
        lambda route: route.fulfill(body="", content_type="text/javascript"),
    )
    nav(page, "Sign in")
    page.get_by_label("Email address").fill("sam.rivera@example.gov")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{saml_idp.base}/sso/redirect*")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Finishing sign-in").wait_for()
    axe_check(page)
    page.locator("main").get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    assert "Agency of Examples" in page.locator("header.usa-header").inner_text()
