"""Bearer tokens from OAuth 2.0 client credentials: the request acts as the agency admin who
created the client (`request.user`), bound to the client's agency (`request.api_client`).

Every request checks its token and its client against the database, so a revocation, a closed
agency or a creator who is no longer an admin takes effect on the next request; nothing of it is
cached. The common request, `Authorization: Bearer <token>` on a read, takes a shorter way to
the same checks (`_quick`): one query compiled once per process (academy.prepared) reads the
token with its client, agency and creator, where django-oauth-toolkit's way builds an oauthlib
request and runs two ORM queries (about half a sync page's fixed cost, docs/performance.md). It
only ever accepts: any token or request it does not accept (unknown, expired, restricted to a
resource, a revoked client, an unusual query string...) goes the whole way below, which gives
the answer and the errors django-oauth-toolkit gives."""

import hashlib

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
)
from oauthlib.common import INVALID_HEX_PATTERN
from oauthlib.common import urlencoded as OAUTHLIB_QUERY_CHARACTERS
from rest_framework.exceptions import AuthenticationFailed

from academy.prepared import prepared
from agencies.models import Agency

from .models import ApiClient
from .services import client_for_token, live_client

AccessToken = get_access_token_model()
User = get_user_model()


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


# The token's columns, then its client's, the client's agency's and its creator's: each model's
# every column, as select_related would load them.
_CLIENT = "application__api_client__"
_MODELS = (
    (AccessToken, ""),
    (ApiClient, _CLIENT),
    (Agency, _CLIENT + "agency__"),
    (User, _CLIENT + "created_by__"),
)
_SLICES = []
_start = 0
for _model, _prefix in _MODELS:
    _SLICES.append((_model, _columns(_model), slice(_start, _start + len(_columns(_model)))))
    _start += len(_columns(_model))


@prepared(checksum=str)
def _token_row(checksum):
    return AccessToken.objects.filter(token_checksum=checksum).values_list(
        *(prefix + column for model, prefix in _MODELS for column in _columns(model))
    )


def _bearer_token(request) -> str | None:
    """The token of a read sent as django-oauth-toolkit reads it (`Authorization: Bearer x`),
    when nothing else in the request could make oauthlib read it otherwise or refuse it: no
    `access_token` parameter, a query string oauthlib decodes as is. None: the whole way."""
    if request.method not in ("GET", "HEAD"):
        return None
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0].lower() != "bearer":
        return None
    query = request.META.get("QUERY_STRING", "")
    if query and (
        not set(query) <= OAUTHLIB_QUERY_CHARACTERS
        or INVALID_HEX_PATTERN.search(query)
        or "access_token" in request.GET
    ):
        return None
    return words[1]


def _quick(request):
    """(the token, its live client) when the token is valid for this request and its client may
    act, by one prepared query; None when not so found (the caller then goes the whole way)."""
    value = _bearer_token(request)
    if value is None:
        return None
    checksum = hashlib.sha256(value.encode("utf-8")).hexdigest()
    rows = _token_row(checksum=checksum)
    if len(rows) != 1:
        return None
    row = rows[0]
    loaded = []
    for model, columns, part in _SLICES:
        values = row[part]
        loaded.append(
            None if values[0] is None else model.from_db(DEFAULT_DB_ALIAS, columns, values)
        )
    token, client, agency, creator = loaded
    # validate_bearer_token's checks, for a request that asks no scope of the token (as
    # OAuth2Authentication asks none): not expired, no resource to match, a usable application.
    if token.is_expired() or token.resource or client is None:
        return None
    if get_application_model().is_usable is not AbstractApplication.is_usable:
        return None
    ApiClient.agency.field.set_cached_value(client, agency)
    ApiClient.created_by.field.set_cached_value(client, creator)
    client = live_client(client)
    return None if client is None else (token, client)


class ClientTokenAuthentication(OAuth2Authentication):
    www_authenticate_realm = "academy-api"

    def authenticate(self, request):
        found = _quick(request)
        if found is not None:
            token, client = found
        else:
            result = super().authenticate(request)
            if result is None:
                if getattr(request, "oauth2_error", None):
                    raise AuthenticationFailed(_("The access token is invalid or has expired."))
                return None
            _user, token = result
            client = client_for_token(token)
            if client is None:
                raise AuthenticationFailed(_("The access token is invalid or has expired."))
        request.api_client = client
        return client.created_by, token
