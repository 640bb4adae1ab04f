"""Multi-factor authentication end to end: agency requirement, TOTP set-up, sign-in with a code."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.urls import reverse


def current_code(secret):
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def mfa_world(world):
    world.a.mfa_required = True
    world.a.save(update_fields=["mfa_required"])
    return world


def sign_in(client, email):
    """A real password sign-in (force_login would leave allauth asking to re-authenticate)."""
    client.post(
        reverse("account_login"), {"login": email, "password": settings.ACADEMY_DEMO_PASSWORD}
    )
    return client


def activate_totp(client):
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    return response, secret


def test_member_of_mfa_agency_sets_up_totp_and_then_reaches_the_site(mfa_world, client):
    sign_in(client, "learner@a.gov")
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")

    response, _ = activate_totp(client)

    assert response.status_code == 302
    types = set(
        Authenticator.objects.filter(user=mfa_world.a_learner).values_list("type", flat=True)
    )
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get(reverse("home")).status_code == 200


def test_wrong_totp_code_is_refused_and_creates_nothing(mfa_world, client):
    sign_in(client, "learner@a.gov")
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Authenticator.objects.filter(user=mfa_world.a_learner).exists()


def test_sign_in_with_totp_asks_for_the_code(world, client):
    sign_in(client, "learner@a.gov")
    _, secret = activate_totp(client)
    client.logout()

    response = client.post(
        reverse("account_login"),
        {"login": "learner@a.gov", "password": settings.ACADEMY_DEMO_PASSWORD},
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.a_learner.pk)


@pytest.mark.parametrize("name", ["mfa_index", "mfa_add_webauthn", "mfa_activate_totp"])
def test_mfa_pages_render_in_the_site_layout(world, client, name):
    response = sign_in(client, "learner@a.gov").get(reverse(name))
    assert response.status_code == 200
    assert b'id="main-content"' in response.content
