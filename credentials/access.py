from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from agencies.access import actor_for


def platform_admin_required(view):
    """Signed-in platform admins; anyone else signed in gets 404 (signed out: the sign-in page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not actor_for(request.user).is_platform_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
