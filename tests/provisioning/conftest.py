import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_models import EnterpriseUser, Group, ResourceType, ScimProvider, User

from provisioning import services

BASE = "http://testserver/scim/v2"


@pytest.fixture
def wsgi_app(db):
    """Academy as a WSGI application, called in-process inside the test's transaction: as
    Django's test client does, the handler must not close the connection between requests."""
    handler = WSGIHandler()

    def app(environ, start_response):
        # Again on every call: Django's test client connects them back after its own requests.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_for(world):
    """A live SCIM token of an agency (created by its admin), as (row, secret)."""

    def make(agency=None, name="Entra ID"):
        agency = agency or world.a
        admin = world.a_admin if agency == world.a else world.b_admin
        return services.token_create(actor=admin, agency=agency, name=name)

    return make


@pytest.fixture
def scim_for(wsgi_app, token_for):
    """A scim2-client bound to Academy with a token of the given agency; it has discovered
    the service (ServiceProviderConfig, ResourceTypes, Schemas)."""

    def make(agency=None, raw=None, discover=True):
        if raw is None:
            _token, raw = token_for(agency)
        client = WSGISCIMClient(
            wsgi_app,
            base_url=BASE,
            headers={"Authorization": f"Bearer {raw}"},
            provider=ScimProvider(
                models=[User, EnterpriseUser, Group],
                resource_types=[
                    ResourceType.from_resource(User[EnterpriseUser]),
                    ResourceType.from_resource(Group),
                ],
            ),
        )
        if discover:
            client.discover()
        return client

    return make


@pytest.fixture
def raw_scim(client, token_for):
    """Plain HTTP through Django's test client, for what a library client would refuse to
    send (bad filters, other agencies' ids, broken bodies)."""

    class Raw:
        def __init__(self, raw_token):
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}

        def call(self, method, path, body=None, **extra):
            import json

            data = json.dumps(body) if body is not None else ""
            return client.generic(
                method,
                f"/scim/v2/{path}",
                data,
                content_type="application/scim+json",
                **self.auth,
                **extra,
            )

    def make(agency=None, raw=None):
        if raw is None:
            _token, raw = token_for(agency)
        return Raw(raw)

    return make
