"""The bearer token's quick way (api.authentication._quick): one prepared query for the token,
its client, agency and creator, accepting exactly what django-oauth-toolkit's way accepts, and
every refusal still at once (nothing cached)."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.request import Request

from api import authentication, services
from api.models import ApiClient


@pytest.fixture
def bearer(api_client_for, get_token):
    """A client of agency A and a token of it: (ApiClient row, the token's value)."""

    def make(agency=None):
        row, client_id, secret = api_client_for(agency)
        return row, get_token(client_id, secret).json()["access_token"]

    return make


def _request(token, path="/api/v1/units/", method="get", **extra):
    django_request = getattr(RequestFactory(), method)(
        path, HTTP_AUTHORIZATION=f"Bearer {token}", **extra
    )
    return Request(django_request)


def _whole_way(request):
    """What django-oauth-toolkit's way and client_for_token give, the quick way left aside."""
    result = super(
        authentication.ClientTokenAuthentication, authentication.ClientTokenAuthentication()
    ).authenticate(request)
    if result is None:
        return None
    _user, token = result
    client = services.client_for_token(token)
    return None if client is None else (token, client)


def test_the_quick_way_finds_what_the_whole_way_finds(world, bearer):
    row, token = bearer()
    quick_token, quick_client = authentication._quick(_request(token))
    whole_token, whole_client = _whole_way(_request(token))
    assert quick_token.pk == whole_token.pk and quick_token.scope == whole_token.scope
    assert quick_client.pk == whole_client.pk == row.pk
    assert quick_client.agency == whole_client.agency == world.a
    assert quick_client.created_by == whole_client.created_by == world.a_admin
    for field in ("email", "is_active", "password", "last_login"):
        assert getattr(quick_client.created_by, field) == getattr(whole_client.created_by, field)
    assert quick_client.agency.is_active and quick_client.agency.slug == world.a.slug


def test_a_read_with_a_bearer_token_is_authenticated_by_one_query(
    world, bearer, django_assert_num_queries
):
    _row, token = bearer()
    authentication._quick(_request(token))  # compiled once per process, stamps last_used_at
    with django_assert_num_queries(1):
        assert authentication._quick(_request(token)) is not None


@pytest.mark.parametrize(
    "change",
    ["revoked", "token deleted", "expired", "agency closed", "creator inactive", "demoted"],
)
def test_every_refusal_takes_effect_on_the_next_request(world, bearer, api, client, change):
    row, token = bearer()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/units/", **auth).status_code == 200
    if change == "revoked":
        services.client_revoke(actor=world.a_admin, client=row)
    elif change == "token deleted":
        AccessToken.objects.filter(application_id=row.application_id).delete()
    elif change == "expired":
        AccessToken.objects.filter(application_id=row.application_id).update(
            expires=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif change == "agency closed":
        type(world.a).objects.filter(pk=world.a.pk).update(is_active=False)
    elif change == "creator inactive":
        world.a_admin.is_active = False
        world.a_admin.save()
    else:
        from agencies.models import Role
        from agencies.services import membership_update

        membership_update(
            actor=world.platform_admin,
            membership=world.a_admin.membership,
            role=Role.MANAGER,
            unit=world.hq,
        )
    assert authentication._quick(_request(token)) is None
    response = client.get("/api/v1/units/", **auth)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="academy-api"')


def test_an_expired_token_is_refused_as_django_oauth_toolkit_refuses_it(world, bearer, client):
    row, token = bearer()
    AccessToken.objects.filter(application_id=row.application_id).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_in_the_query_string_is_refused_even_with_a_good_header(world, bearer, client):
    _row, token = bearer()
    request = _request(token, path=f"/api/v1/units/?access_token={token}")
    assert authentication._bearer_token(request) is None
    response = client.get(
        "/api/v1/units/", {"access_token": token}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "header"),
    [
        ("post", "/api/v1/people/", "Bearer {token}"),
        ("get", "/api/v1/units/?q=%zz", "Bearer {token}"),
        ("get", "/api/v1/units/?q=<x>", "Bearer {token}"),
        ("get", "/api/v1/units/", "Bearer {token} extra"),
        ("get", "/api/v1/units/", "Basic {token}"),
    ],
)
def test_anything_unusual_goes_the_whole_way(world, bearer, method, path, header):
    _row, token = bearer()
    request = Request(
        getattr(RequestFactory(), method)(path, HTTP_AUTHORIZATION=header.format(token=token))
    )
    assert authentication._bearer_token(request) is None


def test_another_agencys_token_acts_for_its_own_client(world, bearer):
    _row_a, token_a = bearer()
    row_b, token_b = bearer(world.b)
    _token, client_b = authentication._quick(_request(token_b))
    assert client_b.pk == row_b.pk and client_b.agency == world.b
    assert client_b.created_by == world.b_admin
    assert ApiClient.objects.count() == 2
    assert authentication._quick(_request("not-a-token")) is None
