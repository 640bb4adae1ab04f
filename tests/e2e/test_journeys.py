import re

import pytest
from django.core import mail

from agencies.models import Role
from tests.builders import make_member
from tests.e2e.conftest import fill_sign_in_form, nav
from tests.factories import AgencyFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"


def test_signup_verify_and_switch_to_french(page, live_server, axe_check):
    AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])

    page.goto("/")
    axe_check(page)
    nav(page, "Create an account")
    page.wait_for_url("**/accounts/signup/")
    axe_check(page)
    # An address outside every agency is refused with a message next to the field.
    page.get_by_label("Full name").fill("Nina New")
    page.locator("#id_email").fill("nina@gmail.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "participating agencies only" in page.locator("#id_email-error").inner_text()
    axe_check(page)

    page.get_by_label("Full name").fill("Nina New")
    page.locator("#id_email").fill("nina@example.gov")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    axe_check(page)

    assert len(mail.outbox) == 1
    # The link in the email is followed as the person would, from their mailbox.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:  # signed out in between: sign in again
        axe_check(page)
        fill_sign_in_form(page, "nina@example.gov", PASSWORD)
    page.wait_for_url(live_server.url + "/")
    assert "Agency of Examples" in page.locator("header.usa-header").inner_text()
    assert "Welcome, Nina New" in page.locator("h1").inner_text()
    axe_check(page)

    # The language switcher works from the keyboard alone.
    page.locator("#language-select").focus()
    page.keyboard.press("End")  # French is the last language
    assert page.locator("#language-select").input_value() == "fr"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('academy-language-button')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page)


def _sign_in(page, live_server, email, password="academy-demo"):
    page.goto("/accounts/login/")
    fill_sign_in_form(page, email, password)
    page.wait_for_url(live_server.url + "/")


def test_agency_management_pages_are_accessible_including_error_states(
    page, live_server, axe_check
):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    hq = UnitFactory(agency=agency, name="HQ")
    UnitFactory(agency=agency, parent=hq, name="Field office")
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")
    learner = make_member(agency, Role.LEARNER, hq, email="learner@example.gov")

    _sign_in(page, live_server, "admin@example.gov")
    for path in [
        "/agency/units/",
        f"/agency/units/{hq.pk}/",
        "/agency/settings/",
        f"/agency/members/{learner.membership.pk}/",
        "/accounts/email/",
    ]:
        page.goto(path)
        axe_check(page)

    page.goto("/agency/units/")
    page.get_by_role("button", name="Add unit").click()  # blank name: field error
    page.wait_for_load_state()
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
    axe_check(page)

    page.goto("/agency/settings/")
    page.get_by_label("Email domains").fill("not a domain")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert "not a valid email domain" in page.locator("main").inner_text()
    axe_check(page)
