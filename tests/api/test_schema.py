"""Schemathesis against the live OpenAPI schema, in-process over WSGI, with a real client
credentials token: every operation, no server error, every response as the schema says (status,
content type, body). A fixed seed and a few examples per operation keep it to a minute."""

import base64
import re

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from academy.handlers import WSGIHandler
from api import services

APP = WSGIHandler()  # the project's (academy.wsgi), with URL matches kept
# Loaded once at collection: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP)


@pytest.fixture
def in_test_transaction(db):
    """Requests run in-process inside the test's transaction: the handler must not close the
    connection between them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world, client, monkeypatch):
    """A real token of agency A with every scope, from the token endpoint; no rate limit."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_client": "100000/min"}, raising=True
    )
    row, secret = services.client_create(
        actor=world.a_admin,
        agency=world.a,
        name="schemathesis",
        scopes=sorted(django_settings.API_SCOPES),
    )
    basic = base64.b64encode(f"{row.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200
    return response.json()["access_token"]


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, bearer, in_test_transaction):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {bearer}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema_response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema_response.status_code == 200
    document = schema_response.json()
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/api/v1/oauth/token/"
    assert {"/api/v1/people/", "/api/v1/units/", "/api/v1/enrollments/"} <= set(document["paths"])
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    # Nothing inline, so the site's Content-Security-Policy (no inline style or script) holds on
    # this page too: the layout rules and the start-up script come from URLs.
    assert "<style" not in html
    assert all(tag.startswith("<script src=") for tag in re.findall(r"<script[^>]*>", html))
    assert "css/api-docs" in html
    directives = [part.strip() for part in docs["Content-Security-Policy"].split(";")]
    assert "style-src 'self'" in directives
