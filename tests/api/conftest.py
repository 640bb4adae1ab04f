import pytest

from api import services


@pytest.fixture
def api_client_for(world):
    """An API client of an agency (created by its admin), as (row, client_id, secret)."""

    def make(agency=None, scopes=("people:read", "people:write", "learning:read"), name="HR"):
        agency = agency or world.a
        admin = world.a_admin if agency == world.a else world.b_admin
        row, secret = services.client_create(
            actor=admin, agency=agency, name=name, scopes=list(scopes)
        )
        return row, row.application.client_id, secret

    return make


@pytest.fixture
def get_token(client):
    """A real access token from the token endpoint (client credentials, HTTP Basic)."""
    import base64

    def fetch(client_id, secret, scope=None):
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        response = client.post("/api/v1/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
        return response

    return fetch


@pytest.fixture
def api(client, api_client_for, get_token):
    """Plain HTTP to /api/v1/ with a bearer token of the given agency and scopes."""

    class Api:
        def __init__(self, token):
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def get(self, path, params=None):
            return client.get(f"/api/v1/{path}", params or {}, **self.auth)

        def post(self, path, body=None):
            return client.post(
                f"/api/v1/{path}", body or {}, content_type="application/json", **self.auth
            )

        def delete(self, path):
            return client.delete(f"/api/v1/{path}", **self.auth)

        def patch(self, path, body):
            return client.patch(
                f"/api/v1/{path}", body, content_type="application/json", **self.auth
            )

    def make(agency=None, scopes=("people:read", "people:write", "learning:read")):
        _row, client_id, secret = api_client_for(agency, scopes)
        response = get_token(client_id, secret)
        assert response.status_code == 200, response.content
        return Api(response.json()["access_token"])

    return make


@pytest.fixture(autouse=True)
def _no_settle_window(settings):
    """The tests freeze time; the enrollments feed's settle window is tested on its own."""
    settings.API_SYNC_SETTLE_SECONDS = 0


@pytest.fixture(autouse=True)
def _no_read_ahead(settings):
    """Pages are read ahead in a thread of their own, on another database connection, which
    would not see a test's rows; tests/api/test_read_ahead.py reads them ahead in line."""
    settings.API_SYNC_READ_AHEAD_SECONDS = 0
