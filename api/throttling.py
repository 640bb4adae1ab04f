"""A rate limit per API client, counted on the shared cache (DRF answers 429 with
Retry-After)."""

from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_cache_key(self, request, view):
        client = getattr(request, "api_client", None)
        if client is None:
            return None  # refused before: authentication or scope
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
