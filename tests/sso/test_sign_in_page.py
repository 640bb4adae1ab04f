"""The email-first sign-in page, and agencies that sign in through their provider only."""

import re

import pytest
from django.core import mail

from agencies.models import Role
from sso.models import IdentityProvider
from tests.builders import make_member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_the_page_asks_for_the_email_first(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="login"' in page and 'name="password"' not in page
    assert "Continue" in page


def test_an_address_without_a_provider_gets_the_password_form_whether_or_not_it_exists(client):
    agency = AgencyFactory(domains=["plain.gov"])
    make_member(agency, Role.LEARNER, email="known@plain.gov")
    known = client.post("/accounts/login/", {"login": "known@plain.gov"})
    unknown = client.post("/accounts/login/", {"login": "nobody@plain.gov"})
    for response, email in [(known, "known@plain.gov"), (unknown, "nobody@plain.gov")]:
        assert response.status_code == 200
        page = response.content.decode()
        assert 'name="password"' in page and f'value="{email}"' in page
    # The two answers differ only by the address typed (and the CSRF token).
    assert _without_csrf(known, "known@") == _without_csrf(unknown, "nobody@")


def _without_csrf(response, local_part):
    page = response.content.decode().replace(local_part, "X@")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_bad_address_is_a_field_error(client):
    response = client.post("/accounts/login/", {"login": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_the_password_step_signs_in_and_keeps_next(client):
    agency = AgencyFactory(domains=["plain.gov"])
    make_member(agency, Role.LEARNER, email="known@plain.gov")
    step = client.post("/accounts/login/", {"login": "known@plain.gov", "next": "/learn/"})
    assert 'name="next" value="/learn/"' in step.content.decode()
    response = client.post(
        "/accounts/login/",
        {"login": "known@plain.gov", "password": "academy-demo", "next": "/learn/"},
    )
    assert response.status_code == 302 and response["Location"] == "/learn/"


def test_an_address_of_an_agency_with_a_provider_goes_to_it(client, provider):
    response = client.post("/accounts/login/", {"login": "anyone@example.gov"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/sso/{provider.public_id}/start/")


def test_a_disabled_provider_leaves_the_password_form(client, provider):
    IdentityProvider.objects.filter(pk=provider.pk).update(enabled=False)
    response = client.post("/accounts/login/", {"login": "anyone@example.gov"})
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_sso_only_refuses_a_right_password_and_sign_up(client, provider, agency):
    IdentityProvider.objects.filter(pk=provider.pk).update(sso_only=True)
    make_member(agency, Role.LEARNER, email="member@example.gov")
    response = client.post(
        "/accounts/login/", {"login": "member@example.gov", "password": "academy-demo"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "signs in through its own identity provider" in response.content.decode()
    signup = client.post(
        "/accounts/signup/",
        {
            "full_name": "New",
            "email": "new@example.gov",
            "password1": "x9!long-pass",
            "password2": "x9!long-pass",
        },
    )
    assert "signs in through its own identity provider" in signup.content.decode()
    assert not mail.outbox


def test_a_wrong_password_of_an_sso_only_member_says_only_that_it_is_wrong(
    client, provider, agency
):
    IdentityProvider.objects.filter(pk=provider.pk).update(sso_only=True)
    make_member(agency, Role.LEARNER, email="member@example.gov")
    response = client.post("/accounts/login/", {"login": "member@example.gov", "password": "nope"})
    page = response.content.decode()
    assert "signs in through its own identity provider" not in page
    assert "not correct" in page


def test_a_platform_admin_keeps_a_password_in_an_sso_only_agency(client, provider, agency):
    IdentityProvider.objects.filter(pk=provider.pk).update(sso_only=True)
    user = make_member(agency, Role.AGENCY_ADMIN, email="breakglass@example.gov")
    user.is_platform_admin = True
    user.save()
    response = client.post(
        "/accounts/login/", {"login": "breakglass@example.gov", "password": "academy-demo"}
    )
    assert response.status_code == 302


def test_a_platform_admin_reaches_the_password_form_by_a_link(client, provider, agency):
    IdentityProvider.objects.filter(pk=provider.pk).update(sso_only=True)
    user = make_member(agency, Role.AGENCY_ADMIN, email="breakglass@example.gov")
    user.is_platform_admin = True
    user.save()
    page = client.get("/accounts/login/?next=/agency/").content.decode()
    assert 'href="/accounts/login/?password=1&amp;next=/agency/"' in page
    form = client.get("/accounts/login/?password=1&next=/agency/").content.decode()
    assert 'name="password"' in form and 'name="next" value="/agency/"' in form
