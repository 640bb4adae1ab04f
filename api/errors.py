"""Every error of the API as RFC 9457 problem details (`application/problem+json`): `type`,
`title`, `status`, `detail`, and for invalid input `errors`, one entry per field."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_BASE = "https://academy.gov/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def _field_errors(detail, prefix="") -> list[dict]:
    """DRF's nested error detail flattened to [{"field": "a.b", "detail": ..., "code": ...}]."""
    errors = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or ""
            errors.extend(_field_errors(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                errors.extend(_field_errors(value, f"{prefix}[{index}]"))
            else:
                errors.extend(_field_errors(value, prefix))
    else:
        errors.append(
            {"field": prefix, "detail": str(detail), "code": getattr(detail, "code", "invalid")}
        )
    return errors


def problem(status: int, *, code: str, detail: str, errors=None, headers=None) -> Response:
    body = {
        "type": PROBLEM_BASE + code.replace("_", "-"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def problem_details_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A service's refusal (agencies, accounts): invalid input, said in the service's words.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            response.status_code,
            code="invalid",
            detail="The request has invalid fields.",
            errors=_field_errors(exc.detail),
            headers=headers,
        )
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    return problem(response.status_code, code=code, detail=str(detail), headers=headers)
