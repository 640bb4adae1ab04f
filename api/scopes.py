"""django-oauth-toolkit's scopes backend: a client's token gets the scopes its agency admin
chose for it (all of them when it asks for none), never more."""

from oauth2_provider.scopes import SettingsScopes


class ClientScopes(SettingsScopes):
    def _client_scopes(self, application) -> list[str]:
        client = getattr(application, "api_client", None) if application is not None else None
        if client is None or client.revoked_at is not None:
            return []
        return client.scope_list

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        return self._client_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return []
        return self._client_scopes(application)
