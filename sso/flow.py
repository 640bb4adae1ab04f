"""What the OpenID Connect and SAML round trips share: the requests waiting in the person's
session, the hand-over page, the failure page, the safe next address, finishing the sign-in,
and the agency admin's lookup of one of its providers."""

import time

from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.signals import MFA_VERIFIED_KEY
from agencies.selectors import agency_for_actor

from . import selectors
from .models import IdentityProvider

PENDING_MAX = 5
PENDING_SECONDS = 600


def remember_pending(request, key: str, pending: dict) -> None:
    """Keep a request sent to a provider in the session (`pending` has `started`): at most a
    few at once (several tabs), none older than ten minutes."""
    waiting = [
        p for p in request.session.get(key, []) if time.time() - p["started"] < PENDING_SECONDS
    ][-(PENDING_MAX - 1) :]
    request.session[key] = [*waiting, pending]


def take_pending(request, key: str, match) -> dict | None:
    """The first waiting request for which `match(p)` is true, removed from the session (used
    once); None when there is none or it is too old."""
    waiting = request.session.get(key, [])
    found = next((p for p in waiting if match(p)), None)
    if found is None:
        return None
    request.session[key] = [p for p in waiting if p is not found]
    return found if time.time() - found["started"] <= PENDING_SECONDS else None


def safe_next(request, url) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def failed(request, provider, message, status=400):
    return render(
        request,
        "sso/sign_in_failed.html",
        {"provider": provider, "message": message},
        status=status,
    )


def hand_over(request, url, *, heading, explanation):
    """A page that sends the browser on to `url` at once (see templates/sso/continue.html)."""
    response = render(
        request,
        "sso/continue.html",
        {"url": url, "heading": heading, "explanation": explanation},
    )
    response["Cache-Control"] = "no-store"
    return response


def hand_over_to_provider(request, provider, url):
    return hand_over(
        request,
        url,
        heading=_("Going to your agency's sign-in"),
        explanation=_("%(agency)s signs you in. If nothing happens, choose Continue.")
        % {"agency": provider.agency.name},
    )


def finish_sign_in(request, user) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The agency's provider authenticated the person, with the assurance the agency asked of it
    # (acr_values, or the IdP's own policy): Academy's own second factor is not asked again.
    request.session[MFA_VERIFIED_KEY] = user.pk


def admin_provider(request, public_id, kind=None) -> IdentityProvider:
    """One provider of the agency the signed-in admin administers (404 otherwise, and for a
    provider of another protocol than `kind`)."""
    agency = agency_for_actor(user=request.user)
    if agency is None:
        raise Http404
    try:
        provider = selectors.provider_for_admin(
            user=request.user, agency=agency, public_id=public_id
        )
    except IdentityProvider.DoesNotExist as error:
        raise Http404 from error
    if kind is not None and provider.kind != kind:
        raise Http404
    return provider
