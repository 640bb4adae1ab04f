"""View guards for agency management; they answer 404 so pages leak nothing to outsiders."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .access import actor_for


def _guard(test):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(actor_for(request.user)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


people_manager_required = _guard(lambda a: a.manages_people)
agency_admin_required = _guard(lambda a: a.administers_agency(a.agency_id))
platform_admin_required = _guard(lambda a: a.is_platform_admin)


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None
