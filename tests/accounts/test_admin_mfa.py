"""The Django admin signs in through allauth, and platform admins and staff must use MFA."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-1"


@pytest.fixture
def staff_with_totp():
    user = UserFactory(email="staff@academy.gov", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def current_code(secret):
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def test_the_admin_login_form_is_not_served_and_a_password_alone_signs_nobody_in(
    client, staff_with_totp
):
    user, _ = staff_with_totp
    for _ in range(12):
        response = client.post(
            "/django-admin/login/", {"username": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/").status_code == 302


def test_staff_sign_in_asks_for_the_second_factor_before_the_admin(client, staff_with_totp):
    user, secret = staff_with_totp
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/").status_code == 302  # still signed out
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.parametrize("kind", ["platform_admin", "staff"])
def test_admins_without_mfa_are_sent_to_set_it_up(client, kind):
    user = UserFactory(
        email=f"{kind}@academy.gov", is_platform_admin=kind == "platform_admin", is_staff=True
    )
    client.force_login(user)
    for path in ("/", "/django-admin/", reverse("agencies:agency_list")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_a_platform_admin_who_signed_in_with_mfa_gets_in(client, world):
    client.force_login(world.platform_admin)
    assert client.get(reverse("agencies:agency_list")).status_code == 200


def test_a_learner_without_an_agency_rule_needs_no_mfa(client, world):
    client.force_login(world.a_learner)
    assert client.get("/").status_code == 200
