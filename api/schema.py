"""The OpenAPI document's parts that drf-spectacular cannot infer: the OAuth 2.0 client
credentials scheme with its scopes (each operation asks for the scopes its view accepts), and
the problem-details error responses every operation may give."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import SAFE_METHODS

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid input (400): one entry per field at fault.",
            "items": {
                "type": "object",
                "required": ["field", "detail", "code"],
                "properties": {
                    "field": {"type": "string"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}
ERRORS = {
    "400": "Invalid input (a field, a filter or the cursor).",
    "401": "No access token, or one that is invalid, expired or revoked.",
    "403": "The access token lacks the scope this operation needs.",
    "404": "No such object in the client's agency.",
    "429": "Too many requests from this client; retry after `Retry-After` seconds.",
}


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ClientTokenAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v1/oauth/token/",
                    "scopes": dict(settings.API_SCOPES),
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        view, method = auto_schema.view, auto_schema.method
        scopes = (
            getattr(view, "read_scopes", ())
            if method in SAFE_METHODS
            else getattr(view, "write_scopes", ())
        )
        # Any one of the scopes will do: one requirement each.
        return [{self.name: [scope]} for scope in scopes]


def add_problem_responses(result, generator, request, public):
    """Every operation may answer with problem details; say so in the document."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS)
            if method == "post":
                errors["422"] = "The Idempotency-Key was used before with another request."
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}
                            }
                        },
                    },
                )
    return result
