import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.access import actor_for

from .signals import SESSION_STARTED_KEY


class SessionLifetimeMiddleware:
    """Signs a user out once the absolute session lifetime has passed since sign-in.

    Inactivity is handled by Django itself: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/verify/")


class RequireAgencyMfaMiddleware:
    """Members of an agency that requires MFA must set up an authenticator before anything else."""

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
        actor = actor_for(request.user)
        if not actor.agency_mfa_required:
            return False
        return not Authenticator.objects.filter(
            user=request.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
