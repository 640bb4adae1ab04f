"""API clients: created by agency admins (secret shown once, stored hashed) and revoked,
audited; tokens from client credentials, bound to the agency and to the client's scopes."""

from django.urls import reverse
from django.utils import translation
from oauth2_provider.models import AccessToken, Application

from agencies.models import AuditEvent
from api.models import ApiClient

PAGE = "api:client_list"


def test_agency_admin_creates_a_client_whose_secret_is_shown_once(world, client_for, get_token):
    client = client_for(world.a_admin)
    response = client.post(
        reverse(PAGE), {"name": "HR system", "scopes": ["people:read", "learning:read"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    row = ApiClient.objects.get(agency=world.a)
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert row.scopes == "learning:read people:read" and row.created_by == world.a_admin
    application = Application.objects.get(pk=row.application_id)
    assert application.client_secret != secret  # stored hashed
    event = AuditEvent.objects.get(action="api.client_create")
    assert (event.agency, event.actor, event.target) == (world.a, world.a_admin, "HR system")
    again = client.get(reverse(PAGE)).content.decode()
    assert secret not in again and "HR system" in again
    client.logout()
    token = get_token(application.client_id, secret)
    assert token.status_code == 200
    assert sorted(token.json()["scope"].split()) == ["learning:read", "people:read"]


def test_a_client_gets_no_scope_it_was_not_given(world, api_client_for, get_token):
    _row, client_id, secret = api_client_for(scopes=["learning:read"])
    assert get_token(client_id, secret, scope="people:write").status_code in (400, 401)
    assert get_token(client_id, "wrong-secret").status_code == 401


def test_agency_admin_revokes_a_client_and_its_tokens_stop(world, client_for, api, client):
    api_a = api(world.a)
    assert api_a.get("units/").status_code == 200
    row = ApiClient.objects.get()
    assert row.last_used_at is not None  # shown on the page
    admin = client_for(world.a_admin)
    assert admin.post(reverse("api:client_revoke", args=[row.pk])).status_code == 302
    admin.logout()
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert not AccessToken.objects.filter(application_id=row.application_id).exists()
    assert AuditEvent.objects.filter(action="api.client_revoke", target="HR").exists()
    assert api_a.get("units/").status_code == 401


def test_other_agencies_and_non_admins_cannot_reach_clients(
    world, client_for, client, api_client_for
):
    row, _id, _secret = api_client_for(world.a, name="A's client")
    client_for(world.b_admin)
    assert client.post(reverse("api:client_revoke", args=[row.pk])).status_code == 404
    assert ApiClient.objects.get(pk=row.pk).revoked_at is None
    assert "A&#x27;s client" not in client.get(reverse(PAGE)).content.decode()
    for user in (world.a_manager, world.a_learner):
        client_for(user)
        assert client.get(reverse(PAGE)).status_code == 404
        assert (
            client.post(reverse(PAGE), {"name": "x", "scopes": ["people:read"]}).status_code == 404
        )
    assert ApiClient.objects.count() == 1


def test_a_client_needs_a_name_and_a_scope(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(reverse(PAGE), {"name": "No scopes"})
    assert response.status_code == 200 and response.context["new_secret"] is None
    assert not ApiClient.objects.exists()


def test_the_page_is_linked_from_the_admins_menu_and_translated(world, client_for):
    client = client_for(world.a_admin)
    assert reverse(PAGE) in client.get(reverse("agencies:agency_settings")).content.decode()
    with translation.override("fr"):
        response = client.get(reverse(PAGE), HTTP_ACCEPT_LANGUAGE="fr")
    text = response.content.decode()
    assert "Clients de l’API" in text and "Créer un client" in text


def test_client_page_reads_a_bounded_number_of_queries(
    world, client_for, api_client_for, django_assert_num_queries
):
    for n in range(5):
        api_client_for(name=f"Client {n}")
    client = client_for(world.a_admin)
    client.get(reverse(PAGE))
    with django_assert_num_queries(4):
        client.get(reverse(PAGE))


def test_a_token_stops_when_its_creator_is_no_longer_an_admin(world, api):
    from agencies.models import Role
    from agencies.services import membership_update

    api_a = api(world.a)
    membership = world.a_admin.membership
    membership_update(
        actor=world.platform_admin, membership=membership, role=Role.MANAGER, unit=world.hq
    )
    assert api_a.get("units/").status_code == 401


def test_a_revoked_client_gets_no_new_token(world, client_for, api_client_for, get_token, client):
    row, client_id, secret = api_client_for()
    assert get_token(client_id, secret).status_code == 200
    from api import services

    services.client_revoke(actor=world.a_admin, client=row)
    assert get_token(client_id, secret).status_code == 401
    # Credentials in the form body (RFC 6749 §2.3.1) are refused the same way.
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert client.post("/api/v1/oauth/token/", body).status_code == 401


def test_credentials_in_the_form_body_get_a_token(world, api_client_for, client):
    _row, client_id, secret = api_client_for(scopes=["people:read"])
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = client.post("/api/v1/oauth/token/", body)
    assert response.status_code == 200 and response.json()["scope"] == "people:read"


def test_token_and_writes_need_no_csrf_token(world, api_client_for):
    """Integrators have no session and no CSRF cookie: the token endpoint and the API's
    writes rely on the bearer token alone."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    _row, client_id, secret = api_client_for()
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    token = strict.post("/api/v1/oauth/token/", body).json()["access_token"]
    response = strict.post(
        "/api/v1/people/",
        {"email": "csrf@a.gov"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
