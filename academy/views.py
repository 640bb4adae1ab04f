import sys
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.signals import SESSION_TOUCHED_KEY
from agencies.access import actor_for
from learning.views import my_learning_response

from .health import health_report, may_see_details, public_report
from .session import session_seconds_left


@never_cache
def healthz(request):
    report = health_report()
    body = report if may_see_details(request) else public_report(report)
    return JsonResponse(body, status=200 if report["status"] == "ok" else 503)


@require_POST
@never_cache
def session_keepalive(request):
    """ "Stay signed in": this request renews the session's inactivity window, whenever it was
    last renewed; answer how long it now has left, which the absolute lifetime may keep short."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"signed_in": False, "message": _("You are signed out. Sign in again to continue.")},
            status=401,
        )
    request.session[SESSION_TOUCHED_KEY] = int(time.time())
    return JsonResponse({"signed_in": True, "seconds_left": session_seconds_left(request)})


def home(request):
    if not request.user.is_authenticated:
        return render(request, "pages/welcome.html")
    actor = actor_for(request.user)
    if actor.agency_id is not None:
        return my_learning_response(request, with_paths=False)
    return render(request, "pages/home.html", {"actor": actor})


def error_404(request, exception):
    return render(request, "errors/404.html", status=404)


def error_403(request, exception):
    return render(request, "errors/403.html", status=403)


DATABASE_DOWN = (OperationalError, InterfaceError)


def error_500(request):
    # No request context: the database may be the reason we are here.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        # The database is unreachable (restarting, failing over): a temporary state that
        # resolves by itself, so say so with 503 and when to retry, not "an error".
        response = HttpResponse(loader.render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))


def root_redirect(request):
    return redirect("home")
