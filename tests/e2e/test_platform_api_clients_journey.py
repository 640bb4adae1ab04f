"""A platform admin goes from the home page (signing in with their authenticator app) to
Manage > Platform API clients, creates a read-only client and sees its secret once; the page
passes axe in English and in French."""

import time

import pytest
from django.conf import settings

from api.models import ApiClient
from tests.e2e.conftest import fill_sign_in_form, nav, switch_language
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _code():
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


def test_platform_admin_creates_a_platform_client(page, axe_check):
    from allauth.mfa.totp.internal.auth import TOTP

    admin = UserFactory(email="platform@academy.gov", is_platform_admin=True)
    TOTP.activate(admin, SECRET)

    page.goto("/")
    nav(page, "Sign in")
    fill_sign_in_form(page, admin.email, settings.ACADEMY_DEMO_PASSWORD)
    page.locator("#id_code").fill(_code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    nav(page, "Manage", "Platform API clients")
    page.wait_for_url("**/agency/api-clients/platform/")
    assert page.get_by_role("heading", level=1).inner_text() == "Platform API clients"
    axe_check(page)
    page.get_by_label("Client name").fill("Data warehouse")
    page.locator("label.usa-checkbox__label", has_text="learning:read").click()
    page.get_by_role("button", name="Create client").click()
    page.locator("#new-client-secret").wait_for()
    client = ApiClient.objects.get()
    assert client.agency is None and client.scopes == "learning:read"
    assert page.locator("#new-client-id").input_value() == client.application.client_id
    axe_check(page)
    # People writes are not offered to a platform client.
    assert page.locator("label.usa-checkbox__label", has_text="people:write").count() == 0

    switch_language(page, "Français")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Clients de l’API de la plateforme"
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page)
