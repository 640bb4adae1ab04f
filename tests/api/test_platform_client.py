"""Platform clients: made by platform admins on their own page, read scopes only, and their
tokens see every agency (as their platform admin does); agency clients stay bound to one."""

import base64

from django.urls import reverse

from agencies.models import AuditEvent
from api import services
from api.models import ApiClient
from learning import services as learning
from tests.builders import build_course

PAGE = "api:platform_client_list"


def _token(client, row, secret):
    basic = base64.b64encode(f"{row.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_platform_admin_creates_a_platform_client_from_their_page(world, client_for):
    page = client_for(world.platform_admin)
    assert page.get(reverse(PAGE)).status_code == 200
    response = page.post(reverse(PAGE), {"name": "Warehouse", "scopes": ["learning:read"]})
    assert response.status_code == 200
    row = ApiClient.objects.get()
    assert row.agency is None and row.created_by == world.platform_admin
    assert response.context["new_secret"] in response.content.decode()
    assert AuditEvent.objects.filter(action="api.client_create", agency=None).exists()
    # Write scopes are not offered, and refused if forged.
    refused = page.post(reverse(PAGE), {"name": "Writer", "scopes": ["people:write"]})
    assert refused.status_code == 200 and ApiClient.objects.count() == 1
    assert page.post(reverse("api:client_revoke", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_agency_admins_and_others_cannot_reach_the_platform_page(world, client_for):
    for user in (world.a_admin, world.a_manager, world.b_learner):
        assert client_for(user).get(reverse(PAGE)).status_code == 404
    row, _secret = services.client_create(
        actor=world.platform_admin, agency=None, name="W", scopes=["people:read"]
    )
    assert (
        client_for(world.a_admin).post(reverse("api:client_revoke", args=[row.pk])).status_code
        == 404
    )
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_platform_token_sees_every_agency_and_changes_nothing(world, client):
    course = build_course(world.a_trainer, world.a, publish=True)
    learning.enrollment_create(user=world.a_learner, course=course)
    row, secret = services.client_create(
        actor=world.platform_admin,
        agency=None,
        name="Warehouse",
        scopes=["people:read", "learning:read", "reports:read"],
    )
    auth = _token(client, row, secret)
    people = client.get("/api/v1/people/", {"page_size": 100}, **auth).json()["results"]
    emails = {person["email"] for person in people}
    assert {"learner@a.gov", "learner@b.gov"} <= emails
    assert {person["agency"] for person in people} == {world.a.pk, world.b.pk}
    units = {unit["id"] for unit in client.get("/api/v1/units/", **auth).json()}
    assert {world.ops.pk, world.branch.pk} <= units
    enrollments = client.get("/api/v1/enrollments/", **auth).json()["results"]
    assert [e["email"] for e in enrollments] == ["learner@a.gov"]
    made = client.post(
        "/api/v1/people/", {"email": "x@a.gov"}, content_type="application/json", **auth
    )
    assert made.status_code == 403


def test_an_agency_token_stays_in_its_agency_and_a_demoted_platform_admin_stops(world, client):
    row, secret = services.client_create(
        actor=world.platform_admin, agency=None, name="W", scopes=["people:read"]
    )
    auth = _token(client, row, secret)
    assert client.get("/api/v1/people/", **auth).status_code == 200
    world.platform_admin.is_platform_admin = False
    world.platform_admin.save(update_fields=["is_platform_admin"])
    from agencies.access import actor_cache_forget

    actor_cache_forget([world.platform_admin.pk])
    assert client.get("/api/v1/people/", **auth).status_code == 401
    try:
        services.client_create(actor=world.a_admin, agency=None, name="X", scopes=["people:read"])
    except Exception as error:  # noqa: BLE001
        assert "platform admins" in str(error)
    else:
        raise AssertionError("an agency admin made a platform client")
