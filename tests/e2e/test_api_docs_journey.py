"""An agency admin goes from the home page to the API reference by the header's Manage menu and
the API clients page: Swagger UI renders every operation under the site's Content-Security-Policy
(the page fixture fails on any violation Chromium reports)."""

import pytest

from agencies.models import Role
from tests.builders import make_member
from tests.e2e.conftest import nav, sign_in
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_reaches_the_api_reference_and_it_runs_under_the_policy(page, axe_check):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")

    sign_in(page, "admin@example.gov", axe_check=axe_check)
    nav(page, "Manage", "API clients")
    page.wait_for_url("**/agency/api-clients/")
    axe_check(page)
    page.get_by_role("link", name="API reference (OpenAPI)").click()
    page.wait_for_url("**/api/v1/docs/")
    # Swagger UI builds the page from the schema with its own script: the operations appear only
    # if its scripts and stylesheet loaded and ran.
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/v1/people/", exact=True).first.is_visible()
