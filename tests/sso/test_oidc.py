"""Sign-in through an agency's OpenID Connect provider, against a provider served over HTTP on
loopback that verifies Academy's private_key_jwt assertion and PKCE and can answer wrongly."""

import pytest
import requests
from django.test import Client

from agencies.models import AuditEvent, Membership, Role
from sso.models import SsoIdentity
from tests.builders import make_member
from tests.factories import AgencyFactory, UnitFactory

from .conftest import SUBJECT, handed_over, sign_in_through

pytestmark = pytest.mark.django_db


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_first_sign_in_creates_the_person_in_the_agency_and_unit(client, provider, idp, agency):
    response = sign_in_through(client, idp, next_url="/learn/")
    assert response.status_code == 302 and response["Location"] == "/learn/"
    assert _signed_in(client)
    membership = Membership.objects.select_related("user", "unit").get(
        user__email="pat.doe@example.gov"
    )
    assert membership.agency == agency and membership.unit.code == "FO-1"
    assert membership.role == Role.TRAINER  # from the group claim
    assert membership.user.full_name == "Pat Doe"
    assert membership.user.emailaddress_set.get().verified
    assert not membership.user.has_usable_password()
    identity = SsoIdentity.objects.get()
    assert (identity.subject, identity.unit_matched) == (SUBJECT, True)
    actions = list(AuditEvent.objects.filter(agency=agency).values_list("action", flat=True))
    assert "sso.user_create" in actions and "sso.sign_in" in actions
    # The provider found nothing to refuse in Academy's request: a private_key_jwt assertion
    # signed by the key whose public half Academy publishes, and the PKCE verifier.
    assert idp.token_errors == []


def test_the_authorization_request_carries_state_nonce_pkce_and_acr(client, provider, idp):
    sign_in_through(client, idp)
    request = idp.requests[-1]
    assert len(request["state"]) >= 22 and len(request["nonce"]) >= 22
    assert request["code_challenge_method"] == "S256" and len(request["code_challenge"]) == 43
    assert request["acr_values"] == "http://idmanagement.gov/ns/assurance/aal/2"
    assert request["scope"] == "openid email profile"
    assert request["client_id"] == "academy-examples"


def test_a_second_sign_in_finds_the_same_person(client, provider, idp):
    sign_in_through(client, idp)
    client.logout()
    idp.user["email"] = "pat.doe2@example.gov"  # changed at the provider: same subject
    sign_in_through(client, idp, email="pat.doe@example.gov")
    assert Membership.objects.count() == 2  # the admin and Pat
    assert SsoIdentity.objects.get().user.email == "pat.doe2@example.gov"


@pytest.mark.parametrize(
    "misbehave, reason",
    [
        ("wrong_nonce", "wrong_nonce"),
        ("expired", "expired"),
        ("wrong_audience", "wrong_audience"),
        ("wrong_issuer", "wrong_issuer"),
        ("unknown_key", "bad_signature"),
        ("wrong_state", "wrong_state"),
    ],
)
def test_a_wrong_answer_is_refused_and_audited(client, provider, idp, agency, misbehave, reason):
    idp.misbehave = misbehave
    response = sign_in_through(client, idp)
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert not _signed_in(client)
    assert not Membership.objects.filter(user__email="pat.doe@example.gov").exists()
    refusal = AuditEvent.objects.get(agency=agency, action="sso.refused")
    assert refusal.detail["reason"] == reason


def test_a_replayed_id_token_is_refused(client, provider, idp):
    assert sign_in_through(client, idp).status_code == 302
    client.logout()
    idp.misbehave = "replay"  # the provider hands back the first ID token (another nonce)
    response = sign_in_through(client, idp)
    assert response.status_code == 400 and not _signed_in(client)


def test_a_callback_used_twice_is_refused(client, provider, idp):
    step = client.post("/accounts/login/", {"login": "pat.doe@example.gov"})
    authorize = handed_over(client.get(step["Location"]))
    callback = requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"]
    path = callback.removeprefix("http://testserver")
    assert client.get(path).status_code == 302
    client.logout()
    assert client.get(path).status_code == 400


def test_an_address_off_the_agencys_domains_is_refused(client, provider, idp, agency):
    idp.user["email"] = "someone@elsewhere.gov"
    response = sign_in_through(client, idp)
    assert response.status_code == 403 and not _signed_in(client)
    assert "not on one of" in response.content.decode()
    assert AuditEvent.objects.get(action="sso.refused").detail["reason"] == "domain_not_approved"


def test_a_password_account_of_the_agency_is_linked(client, provider, idp, agency):
    user = make_member(agency, Role.LEARNER, email="pat.doe@example.gov")
    sign_in_through(client, idp)
    assert _signed_in(client)
    assert SsoIdentity.objects.get().user == user
    assert AuditEvent.objects.filter(action="sso.link", target="pat.doe@example.gov").exists()
    assert Membership.objects.get(user=user).role == Role.LEARNER  # linking changes nothing else


def test_an_account_of_another_agency_is_refused(client, provider, idp):
    other = AgencyFactory(domains=["other.gov"])
    make_member(other, Role.LEARNER, email="pat.doe@example.gov")
    response = sign_in_through(client, idp)
    assert response.status_code == 403 and not _signed_in(client)
    assert not SsoIdentity.objects.exists()


def test_a_deactivated_member_is_refused(client, provider, idp, agency):
    user = make_member(agency, Role.LEARNER, email="pat.doe@example.gov")
    Membership.objects.filter(user=user).update(is_active=False)
    response = sign_in_through(client, idp)
    assert response.status_code == 403 and not _signed_in(client)


def test_an_unknown_unit_code_lands_in_the_default_unit_and_is_listed(
    client, provider, idp, agency, admin
):
    default = UnitFactory(agency=agency, name="Newcomers")
    provider.default_unit = default
    provider.save()
    idp.user["unit"] = "NO-SUCH"
    sign_in_through(client, idp)
    assert Membership.objects.get(user__email="pat.doe@example.gov").unit == default
    client.logout()
    client.force_login(admin)
    page = client.get(f"/agency/sign-in/{provider.public_id}/")
    assert "“NO-SUCH”: 1 person" in page.content.decode()


def test_signing_out_goes_to_the_providers_logout(client, provider, idp):
    sign_in_through(client, idp)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"].startswith("/sso/signed-out/?to=")
    assert not _signed_in(client)
    assert handed_over(client.get(response["Location"])).startswith(
        idp.base + "/logout?id_token_hint="
    )


def test_the_signed_out_page_sends_nobody_to_an_address_academy_did_not_sign(client):
    response = client.get("/sso/signed-out/?to=https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_jwks_url_publishes_only_the_public_key(client, provider):
    document = client.get(f"/sso/{provider.public_id}/jwks.json").json()
    (key,) = document["keys"]
    assert key["kty"] == "RSA" and key["kid"] == provider.signing_key["kid"]
    assert "d" not in key and "p" not in key


def test_a_provider_that_cannot_be_reached_gives_a_clear_page(client, provider, idp):
    provider.discovery = None
    provider.issuer = "http://127.0.0.1:9/"
    provider.save()
    step = client.post("/accounts/login/", {"login": "pat.doe@example.gov"})
    response = client.get(step["Location"])
    assert response.status_code == 502
    assert "cannot be reached" in response.content.decode()


def test_a_person_removed_in_the_directory_cannot_sign_in_after_one_scim_call(
    client, provider, idp, agency, admin
):
    """SCIM deactivates (PATCH active false); the very next sign-in through the provider is
    refused, and the session the person had is over."""
    from provisioning.services import token_create

    sign_in_through(client, idp)
    membership = Membership.objects.get(user__email="pat.doe@example.gov")
    _token, raw = token_create(actor=admin, agency=agency, name="Entra ID")
    scim = Client()
    created = scim.get(
        "/scim/v2/Users?filter=" + 'userName eq "pat.doe@example.gov"',
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    scim_id = created["Resources"][0]["id"]
    response = scim.patch(
        f"/scim/v2/Users/{scim_id}",
        data={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert not membership.is_active
    # The session they had no longer lets them in, and the provider cannot sign them in again.
    assert client.get("/learn/")["Location"].startswith("/accounts/login/")
    assert sign_in_through(client, idp).status_code == 403
    assert client.get("/learn/")["Location"].startswith("/accounts/login/")
    refusal = AuditEvent.objects.filter(action="sso.refused").get()
    assert refusal.detail["reason"] == "deactivated"
