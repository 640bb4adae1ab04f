"""SAML 2.0 sign-in's pages: the AuthnRequest (from `sso.views.start`), the assertion consumer
service, single logout (the LogoutRequest after Academy's sign-out, the single logout service),
Academy's SP metadata, and what the agency admin's page shows the identity team."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.signals import PROVIDER_LOGOUT_URL_KEY
from agencies.permissions import agency_admin_required, client_ip

from . import flow, saml, saml_logout, services
from .models import IdentityProvider

PENDING_KEY = "academy_saml_pending"
# The second, first-party POST of a response whose cross-site POST came without the session
# cookie (SameSite=Lax keeps it off a POST from the identity provider's site).
CONTINUE_FIELD = "academy_continue"
# The NameID and SessionIndex of this session's SAML sign-in, for the LogoutRequest.
SIGNED_IN_KEY = "academy_saml_signed_in"
LOGOUT_SALT = "academy.sso.saml-logout"


def sp_urls(request, provider: IdentityProvider) -> saml.SpUrls:
    return saml.SpUrls(
        entity_id=request.build_absolute_uri(
            reverse("sso:saml_metadata", args=[provider.public_id])
        ),
        acs=request.build_absolute_uri(reverse("sso:saml_acs", args=[provider.public_id])),
        sls=request.build_absolute_uri(reverse("sso:saml_sls", args=[provider.public_id])),
    )


def start(request, provider: IdentityProvider):
    """Send the person to the IdP with an AuthnRequest (HTTP-Redirect binding), keeping the
    request id in their session for the response to answer."""
    try:
        request_id, location = saml.authn_request(provider, sp_urls(request, provider))
    except saml.SamlError as error:
        services.audit_refusal(
            provider, target="", reason=error.reason, message=str(error), ip=client_ip(request)
        )
        return flow.failed(
            request,
            provider,
            _("Your agency's sign-in is not set up correctly. Tell your agency's administrator."),
            status=502,
        )
    flow.remember_pending(
        request,
        PENDING_KEY,
        {
            "id": request_id,
            "provider_id": provider.pk,
            "next_url": flow.safe_next(request, request.GET.get("next")),
            "started": time.time(),
        },
    )
    # Not an HTTP redirect: the sign-in page's form posted here, and the site's CSP
    # (form-action 'self') stops a redirect from that post to another origin.
    return flow.hand_over_to_provider(request, provider, location)


def _outstanding(request, provider) -> dict:
    """The requests this session sent to this provider that may still be answered: id -> next."""
    return {
        p["id"]: p["next_url"]
        for p in request.session.get(PENDING_KEY, [])
        if p["provider_id"] == provider.pk and time.time() - p["started"] < flow.PENDING_SECONDS
    }


def _forget(request, request_id):
    request.session[PENDING_KEY] = [
        p for p in request.session.get(PENDING_KEY, []) if p["id"] != request_id
    ]


@csrf_exempt
@never_cache
@require_POST
def acs(request, public_id):
    """The assertion consumer service (HTTP-POST binding). CSRF-exempt: the IdP's page posts
    here; the response's signature and its InResponseTo of this session's request stand in."""
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("agency", "default_unit"),
        public_id=public_id,
        enabled=True,
        kind=IdentityProvider.Kind.SAML,
    )
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and not request.POST.get(CONTINUE_FIELD):
        return render(
            request,
            "sso/saml_continue.html",
            {
                "provider": provider,
                "saml_response": request.POST.get("SAMLResponse", ""),
                "relay_state": request.POST.get("RelayState", ""),
                "continue_field": CONTINUE_FIELD,
            },
        )
    ip = client_ip(request)
    outstanding = _outstanding(request, provider)
    try:
        verified = saml.verify_response(
            provider, sp_urls(request, provider), request.POST.get("SAMLResponse", ""), outstanding
        )
        _forget(request, verified.request_id)
        saml.assertion_use_once(provider, verified)
    except saml.SamlError as error:
        services.audit_refusal(provider, target="", reason=error.reason, message=str(error), ip=ip)
        return flow.failed(
            request,
            provider,
            _("Your agency's sign-in could not be completed. Start again from the sign-in page."),
        )
    asserted = services.asserted_from_claims(provider, verified.subject, verified.attributes)
    try:
        user = services.sign_in_asserted(provider, asserted, ip=ip)
    except services.SignInRefused as refused:
        return flow.failed(request, provider, refused.message, status=403)
    flow.finish_sign_in(request, user)
    _remember_for_logout(request, provider, verified)
    return redirect(flow.safe_next(request, outstanding[verified.request_id]))


def _remember_for_logout(request, provider, verified) -> None:
    """Keep what the LogoutRequest will need, and send the person on to Academy's logout page
    after signing out (the session is over by then: the page's `t` carries it, signed)."""
    if not saml_logout.slo_location(provider):
        return
    signed_in = saml_logout.sign_in_record(provider, verified)
    request.session[SIGNED_IN_KEY] = signed_in
    token = signing.dumps(signed_in, salt=LOGOUT_SALT, compress=True)
    request.session[PROVIDER_LOGOUT_URL_KEY] = (
        reverse("sso:saml_logout", args=[provider.public_id]) + "?" + urlencode({"t": token})
    )


@never_cache
@require_GET
def logout(request, public_id):
    """After Academy's own sign-out: on to the IdP's single logout with a signed LogoutRequest
    (only for the sign-in Academy signed into `t`; home otherwise)."""
    try:
        signed_in = signing.loads(
            request.GET.get("t", ""), salt=LOGOUT_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
        provider = IdentityProvider.objects.select_related("agency").get(
            public_id=public_id, pk=signed_in["provider_id"], kind=IdentityProvider.Kind.SAML
        )
        location = saml_logout.logout_request(provider, sp_urls(request, provider), signed_in)
    except (signing.BadSignature, KeyError, TypeError, IdentityProvider.DoesNotExist):
        return redirect("home")
    except saml.SamlError:
        return redirect("home")  # no single logout any more: Academy's sign-out is done
    return flow.hand_over(
        request,
        location,
        heading=_("You are signed out of Academy"),
        explanation=_(
            "Now signing you out of your agency's sign-in too. If nothing happens, choose Continue."
        ),
    )


@never_cache
@require_GET
def sls(request, public_id):
    """The single logout service (HTTP-Redirect binding): the IdP's LogoutResponse lands home
    with "You are signed out". A LogoutRequest the IdP starts itself is refused (not
    supported: see docs/sso.md)."""
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("agency"),
        public_id=public_id,
        kind=IdentityProvider.Kind.SAML,
    )
    ip = client_ip(request)
    if "SAMLRequest" in request.GET:
        services.audit_refusal(
            provider,
            target="",
            reason="idp_initiated_logout",
            message="a LogoutRequest from the identity provider (not supported)",
            ip=ip,
        )
        return _sign_out_failed(
            request,
            _(
                "Academy cannot be signed out from your agency's sign-in page. "
                "Use Sign out in Academy's menu."
            ),
        )
    try:
        answer = saml_logout.verify_logout_response(provider, request.META.get("QUERY_STRING", ""))
    except saml.SamlError as error:
        services.audit_refusal(provider, target="", reason=error.reason, message=str(error), ip=ip)
        return _sign_out_failed(
            request,
            _(
                "You are signed out of Academy, but your agency's sign-in did not confirm its "
                "own sign-out. Close your browser to end it."
            ),
        )
    if answer.success:
        messages.success(request, _("You are signed out."))
    else:
        messages.warning(
            request,
            _(
                "You are signed out of Academy. Your agency's sign-in could not sign you out: "
                "close your browser to end it."
            ),
        )
    return redirect("home")


def _sign_out_failed(request, message):
    return render(request, "sso/sign_out_failed.html", {"message": message}, status=400)


def _metadata_response(request, provider, *, download: bool):
    try:
        document = saml.sp_metadata(provider, sp_urls(request, provider))
    except saml.SamlError as error:
        raise Http404 from error
    response = HttpResponse(document, content_type="application/samlmetadata+xml")
    if download:
        response["Content-Disposition"] = (
            f'attachment; filename="academy-sp-metadata-{provider.public_id}.xml"'
        )
    return response


@require_GET
def metadata(request, public_id):
    """Academy's SP metadata at its entity id, for identity providers that read it by URL."""
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("agency"),
        public_id=public_id,
        kind=IdentityProvider.Kind.SAML,
    )
    return _metadata_response(request, provider, download=False)


@require_GET
@agency_admin_required
def metadata_download(request, public_id):
    """The same metadata as a file, from the agency admin's page (404 to any other agency)."""
    provider = flow.admin_provider(request, public_id, kind=IdentityProvider.Kind.SAML)
    return _metadata_response(request, provider, download=True)


def identity_team_context(request, provider: IdentityProvider) -> dict:
    """What the provider's admin page shows the agency's identity team for SAML."""
    if provider.kind != IdentityProvider.Kind.SAML:
        return {}
    urls = sp_urls(request, provider)
    return {
        "saml_entity_id": urls.entity_id,
        "saml_acs": urls.acs,
        "saml_sls": urls.sls if provider.sp_key_pair else "",
        "saml_metadata_download": reverse("sso:saml_metadata_download", args=[provider.public_id]),
    }
