"""The agency admin's pages for identity providers: create, change, remove, isolation."""

import pytest
from django.utils import translation

from agencies.models import AuditEvent, Role
from sso.models import IdentityProvider
from tests.builders import make_member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_the_admin_adds_an_oidc_provider_with_a_login_gov_preset(client, admin, idp, agency):
    client.force_login(admin)
    assert "Sign-in (SSO)" in client.get("/").content.decode()
    page = client.get("/agency/sign-in/")
    assert "No identity provider yet" in page.content.decode()
    response = client.post(
        "/agency/sign-in/new/oidc/",
        {
            "name": "Login.gov sandbox",
            "enabled": "on",
            "issuer": idp.base,
            "client_id": "urn:gov:gsa:openidconnect.profiles:sp:sso:agency:academy",
            "client_auth": "private_key_jwt",
            "preset": "auth-only-piv",
            "scopes": "openid",
            "acr_values": "",
            "email_attribute": "email",
        },
    )
    provider = IdentityProvider.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agency/sign-in/{provider.public_id}/"
    assert provider.acr_values.endswith("aal/2?hspd12=true") and provider.scopes == "openid email"
    assert provider.signing_key["kid"] and provider.discovery["issuer"] == idp.base
    edit = client.get(response["Location"]).content.decode()
    assert f"/sso/{provider.public_id}/oidc/callback/" in edit
    assert f"/sso/{provider.public_id}/jwks.json" in edit
    assert AuditEvent.objects.filter(action="sso.provider_create", outcome="success").exists()


def test_an_issuer_without_a_discovery_document_is_a_clear_error(client, admin):
    client.force_login(admin)
    response = client.post(
        "/agency/sign-in/new/oidc/",
        {
            "name": "Broken",
            "enabled": "on",
            "issuer": "http://127.0.0.1:9/",
            "client_id": "x",
            "client_auth": "private_key_jwt",
            "scopes": "openid email",
            "email_attribute": "email",
        },
    )
    assert response.status_code == 200
    assert "discovery document could not be used" in response.content.decode()
    assert not IdentityProvider.objects.exists()
    assert AuditEvent.objects.filter(action="sso.provider_create", outcome="rejected").exists()


def test_a_client_secret_is_never_shown_back(client, admin, idp, provider):
    client.force_login(admin)
    client.post(
        f"/agency/sign-in/{provider.public_id}/",
        {
            "name": provider.name,
            "enabled": "on",
            "issuer": idp.base,
            "client_id": "c",
            "client_auth": "client_secret_basic",
            "client_secret": "s3cret-value",
            "scopes": "openid email",
            "email_attribute": "email",
        },
    )
    provider.refresh_from_db()
    assert provider.client_secret == "s3cret-value"
    assert (
        "s3cret-value" not in client.get(f"/agency/sign-in/{provider.public_id}/").content.decode()
    )


def test_another_agencys_admin_and_a_manager_cannot_reach_it(client, provider, agency):
    other_admin = make_member(AgencyFactory(domains=["other.gov"]), Role.AGENCY_ADMIN)
    client.force_login(other_admin)
    assert client.get(f"/agency/sign-in/{provider.public_id}/").status_code == 404
    assert client.post(f"/agency/sign-in/{provider.public_id}/remove/").status_code == 404
    assert provider.name not in client.get("/agency/sign-in/").content.decode()
    client.force_login(make_member(agency, Role.MANAGER))
    assert client.get("/agency/sign-in/").status_code == 404
    assert IdentityProvider.objects.filter(pk=provider.pk).exists()


def test_the_admin_removes_a_provider(client, admin, provider):
    client.force_login(admin)
    response = client.post(f"/agency/sign-in/{provider.public_id}/remove/")
    assert response.status_code == 302 and not IdentityProvider.objects.exists()
    assert AuditEvent.objects.filter(action="sso.provider_delete").exists()


def test_the_pages_are_in_french(client, admin, provider):
    client.force_login(admin)
    with translation.override("fr"):
        listing = client.get("/agency/sign-in/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        edit = client.get(
            f"/agency/sign-in/{provider.public_id}/", HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
        client.logout()
        login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fournisseurs d’identité" in listing
    assert "URI de redirection" in edit
    assert "Saisissez votre adresse courriel professionnelle" in login


def test_the_admin_downloads_a_certificate_over_academys_key(client, admin, provider, agency):
    from cryptography import x509
    from joserfc.jwk import RSAKey

    client.force_login(admin)
    page = client.get(f"/agency/sign-in/{provider.public_id}/").content.decode()
    assert f"/agency/sign-in/{provider.public_id}/certificate.pem" in page
    response = client.get(f"/agency/sign-in/{provider.public_id}/certificate.pem")
    certificate = x509.load_pem_x509_certificate(response.content)
    published = RSAKey.import_key(provider.signing_key).public_key.public_numbers()
    assert certificate.public_key().public_numbers() == published
    client.force_login(make_member(AgencyFactory(domains=["else.gov"]), Role.AGENCY_ADMIN))
    assert client.get(f"/agency/sign-in/{provider.public_id}/certificate.pem").status_code == 404
