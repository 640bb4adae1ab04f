"""Bearer tokens from OAuth 2.0 client credentials: the request acts as the agency admin who
created the client (`request.user`), bound to the client's agency (`request.api_client`)."""

from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed

from .services import client_for_token


class ClientTokenAuthentication(OAuth2Authentication):
    www_authenticate_realm = "academy-api"

    def authenticate(self, request):
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
