"""Scopes, enforced per HTTP method: a view lists the scopes that allow reading
(`read_scopes`, any one of them) and writing (`write_scopes`)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class HasMethodScope(BasePermission):
    message = "The access token lacks the scope this request needs."

    def has_permission(self, request, view):
        token = request.auth
        if token is None or getattr(request, "api_client", None) is None:
            return False
        needed = (
            getattr(view, "read_scopes", ())
            if request.method in SAFE_METHODS
            else getattr(view, "write_scopes", ())
        )
        granted = set(token.scope.split())
        return any(scope in granted for scope in needed)
