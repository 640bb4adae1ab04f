"""Sign-in through an agency's SAML 2.0 identity provider, against a pysaml2 IdP served over HTTP
on loopback (tests/sso/saml_idp.py) with its own key and certificate: Academy reads the IdP's
metadata from its URL, the IdP trusts Academy's SP metadata, and every response is built and
signed by the IdP (xmlsec1), then posted to Academy's ACS as the person's browser would."""

import html
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.utils import timezone

from agencies.models import AuditEvent, Membership, Role
from sso.models import IdentityProvider, SsoIdentity, UsedAssertion
from tests.builders import make_member
from tests.factories import AgencyFactory

from .conftest import EMAIL, FAMILY, GIVEN
from .conftest import SAML_SUBJECT as SUBJECT
from .saml_idp import answer_from, tamper

pytestmark = pytest.mark.django_db


def idp_answer(client, idp, email="pat.doe@example.gov", next_url=""):
    """The email step, Academy's start (a redirect to the IdP with the AuthnRequest), and the
    IdP's page over real HTTP: returns (ACS path, SAMLResponse) from that page's form."""
    step = client.post(
        "/accounts/login/" + (f"?next={next_url}" if next_url else ""), {"login": email}
    )
    assert step.status_code == 302, step.content[:500]
    start = client.get(step["Location"])
    assert start.status_code == 200  # the hand-over page (a meta refresh: see sso/saml_views)
    location = start.context["url"]
    assert location.startswith(f"{idp.base}/sso/redirect?SAMLRequest=")
    assert f'content="0;url={html.escape(location)}"' in start.content.decode()
    page = requests.get(location, timeout=10)
    assert page.status_code == 200, page.text[:500]
    acs, saml_response = answer_from(page.text)
    assert acs.startswith("http://testserver/")
    return acs.removeprefix("http://testserver"), saml_response


def post_answer(client, acs, saml_response):
    """Post the IdP's answer as the browser does: again from Academy's continue page if the
    first POST came without a session cookie (as after signing out)."""
    response = client.post(acs, {"SAMLResponse": saml_response})
    if response.status_code == 200 and b"js/sso-continue.js" in response.content:
        response = client.post(acs, {"SAMLResponse": saml_response, "academy_continue": "1"})
    return response


def _signed_in(client):
    return "_auth_user_id" in client.session


def _refusal_reasons(agency):
    return list(
        AuditEvent.objects.filter(agency=agency, action="sso.refused").values_list(
            "detail__reason", flat=True
        )
    )


def test_a_signed_response_signs_a_new_person_in(client, saml_provider, saml_idp, agency):
    acs, saml_response = idp_answer(client, saml_idp, next_url="/learn/")
    assert acs == f"/sso/{saml_provider.public_id}/saml/acs/"
    response = post_answer(client, acs, saml_response)
    assert response.status_code == 302 and response["Location"] == "/learn/"
    assert _signed_in(client)
    membership = Membership.objects.select_related("user", "unit").get(
        user__email="pat.doe@example.gov"
    )
    assert membership.agency == agency and membership.unit.code == "FO-1"
    assert membership.role == Role.TRAINER  # from the memberOf attribute
    assert membership.user.full_name == "Pat Doe"
    assert membership.user.emailaddress_set.get().verified
    assert client.session["academy_mfa_verified"] == membership.user.pk
    identity = SsoIdentity.objects.get()
    assert (identity.provider, identity.subject) == (saml_provider, SUBJECT)
    actions = list(AuditEvent.objects.filter(agency=agency).values_list("action", flat=True))
    assert "sso.user_create" in actions and "sso.sign_in" in actions
    assert UsedAssertion.objects.filter(provider=saml_provider).count() == 1
    # The IdP accepted Academy's AuthnRequest: issued by Academy's entity id, for its ACS.
    (request,) = saml_idp.requests
    assert request.issuer.text == f"http://testserver/sso/{saml_provider.public_id}/saml/metadata/"


def test_a_second_sign_in_finds_the_same_person(client, saml_provider, saml_idp):
    post_answer(client, *idp_answer(client, saml_idp))
    client.logout()
    saml_idp.attributes[EMAIL] = ["pat.doe2@example.gov"]  # changed at the IdP: same NameID
    response = post_answer(client, *idp_answer(client, saml_idp))
    assert response.status_code == 302 and _signed_in(client)
    assert SsoIdentity.objects.get().user.email == "pat.doe2@example.gov"


@pytest.mark.parametrize(
    "misbehave, reason",
    [
        ("unsigned", "bad_signature"),
        ("expired", "expired"),
        ("wrong_audience", "wrong_audience"),
        ("no_audience", "wrong_audience"),
        ("refuses", "provider_error"),
        ("unsolicited", "unsolicited"),
    ],
)
def test_a_wrong_response_is_refused_and_audited(
    client, saml_provider, saml_idp, agency, misbehave, reason
):
    saml_idp.misbehave = misbehave
    response = post_answer(client, *idp_answer(client, saml_idp))
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert not _signed_in(client)
    assert not Membership.objects.filter(user__email="pat.doe@example.gov").exists()
    assert _refusal_reasons(agency) == [reason]


def test_a_response_changed_after_signing_is_refused(client, saml_provider, saml_idp, agency):
    acs, saml_response = idp_answer(client, saml_idp)
    changed = tamper(saml_response, ">training-admins<", ">academy-admins<")
    response = post_answer(client, acs, changed)
    assert response.status_code == 400 and not _signed_in(client)
    assert not Membership.objects.filter(user__email="pat.doe@example.gov").exists()
    assert _refusal_reasons(agency) == ["bad_signature"]


def test_a_response_posted_twice_is_refused(client, saml_provider, saml_idp, agency):
    acs, saml_response = idp_answer(client, saml_idp)
    assert post_answer(client, acs, saml_response).status_code == 302
    client.logout()
    response = post_answer(client, acs, saml_response)
    assert response.status_code == 400 and not _signed_in(client)
    assert _refusal_reasons(agency) == ["unsolicited"]  # its request was answered already


def test_an_assertion_is_accepted_once_even_while_its_request_waits(
    client, saml_provider, saml_idp, agency
):
    acs, saml_response = idp_answer(client, saml_idp)
    waiting = client.session["academy_saml_pending"]
    assert post_answer(client, acs, saml_response).status_code == 302
    client.logout()
    session = client.session
    session["academy_saml_pending"] = waiting  # as if a second request raced the first
    session.save()
    response = post_answer(client, acs, saml_response)
    assert response.status_code == 400 and not _signed_in(client)
    assert _refusal_reasons(agency) == ["replayed"]


def test_a_used_assertion_is_kept_until_it_expires_then_forgotten(client, saml_provider, saml_idp):
    UsedAssertion.objects.create(
        provider=saml_provider, assertion_id="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    post_answer(client, *idp_answer(client, saml_idp))
    (used,) = UsedAssertion.objects.all()
    assert used.assertion_id != "old"
    # The IdP's assertions live five minutes; Academy adds its minute of clock skew.
    remaining = used.expires_at - timezone.now()
    assert timedelta(minutes=5) < remaining <= timedelta(minutes=6, seconds=1)


def test_an_unsolicited_response_to_a_fresh_visitor_is_refused(
    client, saml_provider, saml_idp, agency
):
    """A response posted by someone who never started a sign-in here (a stolen response, or an
    IdP-initiated one) answers no request of that session."""
    acs, saml_response = idp_answer(client, saml_idp)
    stranger = Client()
    stranger.get("/")  # a session of their own
    response = post_answer(stranger, acs, saml_response)
    assert response.status_code == 400 and "_auth_user_id" not in stranger.session
    assert _refusal_reasons(agency) == ["unsolicited"]


def test_a_post_without_the_session_cookie_is_posted_again_from_academy(
    client, saml_provider, saml_idp
):
    """SameSite=Lax keeps the session cookie off the IdP's cross-site POST: Academy answers with
    a page that posts the same response again (script from 'self', or the Continue button)."""
    acs, saml_response = idp_answer(client, saml_idp)
    cookie = client.cookies.pop(settings.SESSION_COOKIE_NAME)
    page = client.post(acs, {"SAMLResponse": saml_response})
    assert page.status_code == 200
    body = page.content.decode()
    assert "js/sso-continue.js" in body and "<script>" not in body
    assert f'value="{saml_response}"' in body
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    response = client.post(acs, {"SAMLResponse": saml_response, "academy_continue": "1"})
    assert response.status_code == 302 and _signed_in(client)


def test_an_address_off_the_agencys_domains_is_refused(client, saml_provider, saml_idp, agency):
    saml_idp.attributes[EMAIL] = ["someone@elsewhere.gov"]
    response = post_answer(client, *idp_answer(client, saml_idp))
    assert response.status_code == 403 and not _signed_in(client)
    assert _refusal_reasons(agency) == ["domain_not_approved"]


def test_an_account_of_another_agency_is_refused(client, saml_provider, saml_idp):
    other = AgencyFactory(domains=["other.gov"])
    make_member(other, Role.LEARNER, email="pat.doe@example.gov")
    response = post_answer(client, *idp_answer(client, saml_idp))
    assert response.status_code == 403 and not _signed_in(client)
    assert not SsoIdentity.objects.exists()


def test_the_metadata_url_is_read_and_cached_on_save(saml_provider, saml_idp):
    assert saml_provider.entity_id == saml_idp.entity_id
    assert 'entityID="' + saml_idp.entity_id in saml_provider.metadata_xml


def test_academys_metadata_names_its_entity_id_and_acs(client, saml_provider):
    url = f"/sso/{saml_provider.public_id}/saml/metadata/"
    document = client.get(url).content.decode()
    assert f'entityID="http://testserver{url}"' in document
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in document
    assert f'Location="http://testserver/sso/{saml_provider.public_id}/saml/acs/"' in document
    assert 'WantAssertionsSigned="true"' in document


# The agency admin's page.


def test_admin_creates_a_saml_provider_by_uploading_metadata(client, admin, agency, saml_idp):
    client.force_login(admin)
    upload = _upload(saml_idp.metadata())
    response = client.post(
        "/agency/sign-in/new/saml/",
        {
            "name": "Examples SAML",
            "enabled": "on",
            "email_attribute": EMAIL,
            "given_name_attribute": GIVEN,
            "family_name_attribute": FAMILY,
            "metadata_file": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get(agency=agency, kind=IdentityProvider.Kind.SAML)
    assert provider.entity_id == saml_idp.entity_id and provider.metadata_url == ""
    page = client.get(response["Location"]).content.decode()
    assert f"http://testserver/sso/{provider.public_id}/saml/metadata/" in page
    assert f"http://testserver/sso/{provider.public_id}/saml/acs/" in page
    download = client.get(f"/agency/sign-in/{provider.public_id}/saml-metadata.xml")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"AssertionConsumerService" in download.content
    assert AuditEvent.objects.filter(action="sso.provider_create", agency=agency).exists()


def test_metadata_that_describes_no_identity_provider_is_refused(client, admin, agency):
    client.force_login(admin)
    response = client.post(
        "/agency/sign-in/new/saml/",
        {"name": "Broken", "email_attribute": "email", "metadata_file": _upload("<nothing/>")},
    )
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize("by_url", [True, False])
def test_an_identity_provider_off_https_is_refused_outside_the_embedded_run(
    client, admin, agency, saml_idp, settings, by_url
):
    """In production the metadata URL and the IdP's sign-on URL must be https (the test IdP is
    on plain http)."""
    settings.ACADEMY_SSO_ALLOW_HTTP = False
    client.force_login(admin)
    source = (
        {"metadata_url": f"{saml_idp.base}/metadata"}
        if by_url
        else {"metadata_file": _upload(saml_idp.metadata())}
    )
    response = client.post(
        "/agency/sign-in/new/saml/", {"name": "Plain", "email_attribute": "email", **source}
    )
    assert response.status_code == 200
    assert "is not an https address" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_another_agencys_admin_gets_404_on_the_provider_and_its_metadata(client, saml_provider):
    other = AgencyFactory(domains=["other.gov"])
    client.force_login(make_member(other, Role.AGENCY_ADMIN, email="admin@other.gov"))
    public_id = saml_provider.public_id
    assert client.get(f"/agency/sign-in/{public_id}/saml-metadata.xml").status_code == 404
    assert client.get(f"/agency/sign-in/{public_id}/").status_code == 404


def test_a_learner_cannot_download_the_metadata_from_the_admin_page(client, saml_provider, agency):
    client.force_login(make_member(agency, Role.LEARNER, email="learner@example.gov"))
    response = client.get(f"/agency/sign-in/{saml_provider.public_id}/saml-metadata.xml")
    assert response.status_code in (403, 404)


def _upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("idp-metadata.xml", text.encode(), content_type="text/xml")


def test_the_identity_teams_values_read_in_french(client, admin, saml_provider):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(f"/agency/sign-in/{saml_provider.public_id}/").content.decode()
    assert "Pour votre équipe d’identité" in page
    assert "Télécharger les métadonnées (XML)" in page
    assert "Service consommateur d’assertions (URL de réponse), HTTP-POST" in page


# Query counts, exact.


def test_academys_metadata_costs_one_query(client, saml_provider, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(f"/sso/{saml_provider.public_id}/saml/metadata/")


def test_the_finishing_page_costs_one_query(
    client, saml_provider, saml_idp, django_assert_num_queries
):
    acs, saml_response = idp_answer(client, saml_idp)
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    with django_assert_num_queries(1):
        client.post(acs, {"SAMLResponse": saml_response})


def test_a_known_persons_sign_in_costs_a_fixed_number_of_queries(
    client, saml_provider, saml_idp, django_assert_num_queries
):
    post_answer(client, *idp_answer(client, saml_idp))
    client.logout()
    acs, saml_response = idp_answer(client, saml_idp)
    # Both POSTs (signed out, the first comes without a session cookie): the provider (twice),
    # forgetting expired assertions and recording this one, who-is-who, the audit row, and the
    # session and last_login writes of signing in.
    with django_assert_num_queries(23):
        response = post_answer(client, acs, saml_response)
    assert response.status_code == 302
