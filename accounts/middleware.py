import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.access import actor_for

from . import session_user
from .signals import MFA_VERIFIED_KEY, SESSION_STARTED_KEY, SESSION_TOUCHED_KEY


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with `request.user` read from the shared cache when it holds the user's current
    row (accounts/session_user.py): no query, and the session's auth hash still checked.

    The user is read at once, not behind Django's SimpleLazyObject: every request that gets here
    reads it anyway (SessionLifetimeMiddleware, next), and through the lazy object each of the
    dozens of reads of `request.user` a page makes costs two more Python calls."""

    def process_request(self, request):
        super().process_request(request)  # the checks, and request.auser as Django builds it
        request.user = session_user.get_user(request)


class SessionLifetimeMiddleware:
    """Renews a signed-in session's inactivity window, and signs the user out once the absolute
    lifetime has passed since sign-in.

    The window (SESSION_COOKIE_AGE) is renewed by saving the session, which costs a write; it is
    saved at most once a SESSION_TOUCH_SECONDS rather than on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            started = session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            if now - session.get(SESSION_TOUCHED_KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[SESSION_TOUCHED_KEY] = now
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/verify/")


class RequireMfaMiddleware:
    """Who must use MFA sets up an authenticator before anything else: members of an agency that
    requires it, platform admins, and Django staff (the admin's login goes through allauth, see
    academy/urls.py).

    A session that signed in with an authenticator carries MFA_VERIFIED_KEY (accounts/signals.py),
    so the check costs no query on the requests that follow.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._needs_mfa_setup(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _needs_mfa_setup(self, request):
        path = request.path_info
        if any(path.startswith(p) for p in MFA_EXEMPT_PREFIXES):
            return False
        user = request.user
        if request.session.get(MFA_VERIFIED_KEY) == user.pk:
            return False
        if not mfa_required(user, actor_for(user)):
            return False
        if not has_authenticator(user):
            return True
        request.session[MFA_VERIFIED_KEY] = user.pk
        return False


def mfa_required(user, actor) -> bool:
    return bool(
        actor.agency_mfa_required or actor.is_platform_admin or user.is_staff or user.is_superuser
    )


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
