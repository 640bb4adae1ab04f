"""SAML single logout, SP-initiated, against the pysaml2 IdP on loopback (tests/sso/saml_idp.py):
after Academy's sign-out the browser goes to the IdP's SingleLogoutService with a LogoutRequest
signed with the provider's own key pair (the IdP verifies it with the certificate of Academy's SP
metadata, and refuses it otherwise), and the IdP's signed LogoutResponse lands on Academy's SLS."""

import base64
import importlib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from saml2 import saml
from saml2.s_utils import decode_base64_and_inflate, deflate_and_base64_encode

from agencies.models import AuditEvent
from sso import services
from sso.models import IdentityProvider
from tests.factories import AgencyFactory

from .conftest import SAML_SUBJECT, handed_over
from .test_saml import idp_answer, post_answer

pytestmark = pytest.mark.django_db


def _signed_in(client):
    return "_auth_user_id" in client.session


def _refusal_reasons(agency):
    return list(
        AuditEvent.objects.filter(agency=agency, action="sso.refused").values_list(
            "detail__reason", flat=True
        )
    )


def _sign_in(client, idp) -> str:
    """Sign in through the IdP; returns the SessionIndex its assertion carried."""
    acs, saml_response = idp_answer(client, idp)
    xml = base64.b64decode(saml_response).decode()
    response = post_answer(client, acs, saml_response)
    assert response.status_code == 302 and _signed_in(client)
    return re.search(r'SessionIndex="([^"]+)"', xml).group(1)


def _sign_out_to_idp(client, provider) -> str:
    """Academy's sign-out, then its logout page: returns the IdP's SLO URL it hands over to."""
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/sso/{provider.public_id}/saml/logout/?t=")
    assert not _signed_in(client)
    return handed_over(client.get(response["Location"]))


def _idp_logout(url) -> str:
    """The IdP's answer to the LogoutRequest: the path (on Academy) it redirects to."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["Location"]
    assert location.startswith("http://testserver/")
    return location.removeprefix("http://testserver")


def test_academys_metadata_publishes_its_signing_certificate_and_sls(client, saml_provider):
    document = client.get(f"/sso/{saml_provider.public_id}/saml/metadata/").content.decode()
    sls = f"http://testserver/sso/{saml_provider.public_id}/saml/sls/"
    assert (
        f'SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{sls}"' in document
    )
    assert 'KeyDescriptor use="signing"' in document
    published = re.search(r"<ns\d+:X509Certificate>([^<]+)<", document).group(1)
    stored = x509.load_pem_x509_certificate(saml_provider.sp_key_pair["certificate"].encode())
    assert base64.b64decode(published) == stored.public_bytes(serialization.Encoding.DER)
    assert "PRIVATE KEY" not in document


def test_signing_out_sends_a_signed_logout_request_and_lands_home(client, saml_provider, saml_idp):
    session_index = _sign_in(client, saml_idp)
    slo = _sign_out_to_idp(client, saml_provider)
    assert slo.startswith(f"{saml_idp.base}/slo/redirect?SAMLRequest=")
    assert {"SigAlg", "Signature"} <= set(parse_qs(urlsplit(slo).query))
    sls = _idp_logout(slo)
    # The IdP verified the signature with the certificate from Academy's metadata.
    (request,) = saml_idp.logout_requests
    assert request.name_id.text == SAML_SUBJECT
    assert request.name_id.format == saml.NAMEID_FORMAT_PERSISTENT
    assert [index.text for index in request.session_index] == [session_index]
    assert request.issuer.text == f"http://testserver/sso/{saml_provider.public_id}/saml/metadata/"
    assert sls.startswith(f"/sso/{saml_provider.public_id}/saml/sls/?SAMLResponse=")
    landed = client.get(sls, follow=True)
    assert landed.redirect_chain == [("/", 302)]
    assert "You are signed out." in landed.content.decode()
    assert not _signed_in(client)


def test_the_idp_refuses_a_logout_request_signed_with_another_key(client, saml_provider, saml_idp):
    _sign_in(client, saml_idp)
    slo = _sign_out_to_idp(client, saml_provider)
    query = parse_qs(urlsplit(slo).query)
    query["Signature"] = [base64.b64encode(b"\0" * 256).decode()]
    forged = slo.split("?")[0] + "?" + urlencode({k: v[0] for k, v in query.items()})
    assert requests.get(forged, allow_redirects=False, timeout=10).status_code == 403
    assert saml_idp.logout_requests == []


def test_an_unsigned_logout_response_is_refused(client, saml_provider, saml_idp, agency):
    _sign_in(client, saml_idp)
    slo = _sign_out_to_idp(client, saml_provider)
    saml_idp.misbehave = "unsigned_logout"
    sls = _idp_logout(slo)
    assert "Signature=" not in sls
    response = client.get(sls)
    assert response.status_code == 400
    assert "Sign-out did not complete" in response.content.decode()
    assert _refusal_reasons(agency) == ["bad_signature"]


def test_a_logout_response_changed_after_signing_is_refused(
    client, saml_provider, saml_idp, agency
):
    _sign_in(client, saml_idp)
    sls = _idp_logout(_sign_out_to_idp(client, saml_provider))
    path, query = sls.split("?")
    parameters = {k: v[0] for k, v in parse_qs(query).items()}
    xml = decode_base64_and_inflate(parameters["SAMLResponse"]).decode()
    assert "status:Success" in xml
    changed = xml.replace('Version="2.0"', 'Version="2.0" Consent="changed"', 1)
    parameters["SAMLResponse"] = deflate_and_base64_encode(changed)
    response = client.get(path + "?" + urlencode(parameters))
    assert response.status_code == 400
    assert _refusal_reasons(agency) == ["bad_signature"]


def test_a_logout_response_is_accepted_once(client, saml_provider, saml_idp, agency):
    _sign_in(client, saml_idp)
    sls = _idp_logout(_sign_out_to_idp(client, saml_provider))
    assert client.get(sls).status_code == 302
    assert client.get(sls).status_code == 400
    assert _refusal_reasons(agency) == ["unsolicited"]


def test_a_logout_response_to_no_request_of_academy_is_refused(
    client, saml_provider, saml_idp, agency
):
    _sign_in(client, saml_idp)
    sls = _idp_logout(_sign_out_to_idp(client, saml_provider))
    cache.clear()  # as if the LogoutRequest had been sent ten minutes ago or never
    assert client.get(sls).status_code == 400
    assert _refusal_reasons(agency) == ["unsolicited"]


def test_without_an_slo_endpoint_sign_out_only_ends_academys_session(
    client, saml_provider, saml_idp, admin, agency
):
    saml_idp.misbehave = "no_slo"
    services.provider_save(actor=admin, agency=agency, provider=saml_provider, values={})
    saml_idp.misbehave = ""
    _sign_in(client, saml_idp)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not _signed_in(client)


def test_an_idp_initiated_logout_request_gets_a_clear_page(client, saml_provider, agency):
    response = client.get(f"/sso/{saml_provider.public_id}/saml/sls/?SAMLRequest=abc")
    assert response.status_code == 400
    assert "Use Sign out in Academy" in response.content.decode()
    assert _refusal_reasons(agency) == ["idp_initiated_logout"]


def test_the_logout_page_sends_nobody_anywhere_without_academys_signature(client, saml_provider):
    response = client.get(f"/sso/{saml_provider.public_id}/saml/logout/?t=forged")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_logout_token_of_one_agencys_provider_does_nothing_for_another(
    client, saml_provider, saml_idp, admin
):
    _sign_in(client, saml_idp)
    logout_url = client.post("/accounts/logout/")["Location"]
    other = IdentityProvider.objects.create(
        agency=AgencyFactory(slug="others"),
        kind=IdentityProvider.Kind.SAML,
        name="Others",
        metadata_xml=saml_provider.metadata_xml,
        entity_id=saml_provider.entity_id,
        sp_key_pair=saml_provider.sp_key_pair,
    )
    token = logout_url.split("?t=")[1]
    response = client.get(f"/sso/{other.public_id}/saml/logout/?t={token}")
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_saml_provider_without_a_key_pair_gets_one_when_saved(agency, admin, saml_provider):
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(sp_key_pair=None)
    saml_provider.refresh_from_db()
    saved = services.provider_save(actor=admin, agency=agency, provider=saml_provider, values={})
    assert "BEGIN PRIVATE KEY" in saved.sp_key_pair["key"]
    assert "BEGIN CERTIFICATE" in saved.sp_key_pair["certificate"]


def test_the_sign_out_pages_read_in_french(client, saml_provider, saml_idp):
    _sign_in(client, saml_idp)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    slo = _sign_out_to_idp(client, saml_provider)
    landed = client.get(_idp_logout(slo), follow=True).content.decode()
    assert "Vous êtes déconnecté." in landed
    refused = client.get(f"/sso/{saml_provider.public_id}/saml/sls/?SAMLRequest=abc")
    assert "La déconnexion n’a pas abouti" in refused.content.decode()


def test_the_sls_costs_a_fixed_number_of_queries(
    client, saml_provider, saml_idp, django_assert_num_queries
):
    _sign_in(client, saml_idp)
    sls = _idp_logout(_sign_out_to_idp(client, saml_provider))
    with django_assert_num_queries(1):
        client.get(sls)


def test_the_identity_team_is_given_the_sls_in_english_and_french(client, admin, saml_provider):
    client.force_login(admin)
    sls = f"http://testserver/sso/{saml_provider.public_id}/saml/sls/"
    page = client.get(f"/agency/sign-in/{saml_provider.public_id}/").content.decode()
    assert "Single logout service (logout URL), HTTP-Redirect" in page and sls in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(f"/agency/sign-in/{saml_provider.public_id}/").content.decode()
    assert "Service de déconnexion unique (URL de déconnexion), HTTP-Redirect" in page


def test_the_migration_gives_existing_saml_providers_a_key_pair(saml_provider):
    migration = importlib.import_module("sso.migrations.0002_sp_key_pair")
    IdentityProvider.objects.filter(pk=saml_provider.pk).update(sp_key_pair=None)
    migration.key_pairs_for_saml_providers(apps, None)
    saml_provider.refresh_from_db()
    assert "BEGIN CERTIFICATE" in saml_provider.sp_key_pair["certificate"]


def test_the_logout_page_costs_one_query(
    client, saml_provider, saml_idp, django_assert_num_queries
):
    _sign_in(client, saml_idp)
    logout_url = client.post("/accounts/logout/")["Location"]
    with django_assert_num_queries(1):
        assert client.get(logout_url).status_code == 200
