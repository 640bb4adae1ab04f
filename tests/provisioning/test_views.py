"""The agency admin's provisioning page: tokens created (shown once) and revoked, audited."""

from django.urls import reverse
from django.utils import translation

from agencies.models import AuditEvent
from provisioning import services
from provisioning.models import ScimToken

PAGE = "provisioning:token_list"


def test_agency_admin_creates_a_token_shown_once(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(reverse(PAGE), {"name": "Entra ID production"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ScimToken.objects.get(agency=world.a)
    raw = response.context["new_token"]
    assert raw.startswith("acs_") and len(raw) > 40
    assert raw in response.content.decode()
    assert token.token_hash == services.token_hash(raw) and token.created_by == world.a_admin
    event = AuditEvent.objects.get(action="scim.token_create")
    assert (event.agency, event.actor, event.target) == (world.a, world.a_admin, token.name)
    # Never again.
    again = client.get(reverse(PAGE))
    assert raw not in again.content.decode()
    assert "Entra ID production" in again.content.decode()
    assert "http://testserver/scim/v2/" in again.content.decode()


def test_agency_admin_revokes_a_token(world, client_for):
    token, _raw = services.token_create(actor=world.a_admin, agency=world.a, name="Okta")
    client = client_for(world.a_admin)
    response = client.post(reverse("provisioning:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="scim.token_revoke", target="Okta").exists()


def test_other_agencies_and_non_admins_cannot_reach_tokens(world, client_for, client):
    token, _raw = services.token_create(actor=world.a_admin, agency=world.a, name="A's token")
    client_for(world.b_admin)
    assert client.post(reverse("provisioning:token_revoke", args=[token.pk])).status_code == 404
    assert token.__class__.objects.get(pk=token.pk).revoked_at is None
    assert "A&#x27;s token" not in client.get(reverse(PAGE)).content.decode()
    for user in (world.a_manager, world.a_learner):
        client_for(user)
        assert client.get(reverse(PAGE)).status_code == 404
        assert client.post(reverse(PAGE), {"name": "x"}).status_code == 404
    assert ScimToken.objects.count() == 1


def test_the_page_is_linked_from_the_admins_menu_and_translated(world, client_for):
    client = client_for(world.a_admin)
    assert reverse(PAGE) in client.get(reverse("agencies:agency_settings")).content.decode()
    with translation.override("fr"):
        response = client.get(reverse(PAGE), HTTP_ACCEPT_LANGUAGE="fr")
    text = response.content.decode()
    assert "Approvisionnement (SCIM)" in text and "Créer un jeton" in text


def test_token_page_reads_a_bounded_number_of_queries(world, client_for, django_assert_num_queries):
    for n in range(5):
        services.token_create(actor=world.a_admin, agency=world.a, name=f"Token {n}")
    client = client_for(world.a_admin)
    client.get(reverse(PAGE))
    with django_assert_num_queries(5):
        client.get(reverse(PAGE))


def test_the_page_lists_departments_that_matched_no_unit(world, client_for, scim_for):
    from .test_users import new_user

    scim = scim_for()
    scim.create(new_user("one@a.gov", department="Field office"))
    scim.create(new_user("two@a.gov", department="Field office"))
    scim.create(new_user("three@a.gov", department="Ops"))
    text = client_for(world.a_admin).get(reverse(PAGE)).content.decode()
    assert "“Field office”: 2 people" in text
    assert "“Ops”" not in text
