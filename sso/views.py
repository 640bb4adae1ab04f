"""Agency sign-in: the email-first sign-in page, the round trip to the agency's provider, and
the agency admin's page of providers."""

from allauth.account.views import LoginView
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from academy.forms import apply_validation_error
from accounts.signals import PROVIDER_LOGOUT_URL_KEY
from agencies.permissions import agency_admin_required, client_ip
from agencies.selectors import agency_for_actor

from . import flow, oidc, saml_views, selectors, services
from .forms import EmailStepForm, ProviderForm
from .models import IdentityProvider

PENDING_KEY = "academy_sso_pending"


class EmailFirstLoginView(LoginView):
    """allauth's sign-in page, asking for the email first. An address on the domains of an
    agency with an identity provider goes to that provider; any other gets the password form
    (whether or not an account exists, so nothing is told about accounts)."""

    def get(self, request, *args, **kwargs):
        # ?password=1: straight to the password form, for the platform admins who keep a
        # password (break-glass) while their address's agency signs in through its provider.
        if request.GET.get("login") or request.GET.get("password"):
            return self._password_step(request.GET.get("login", ""))
        return self._email_step(EmailStepForm())

    def post(self, request, *args, **kwargs):
        if "password" in request.POST:
            return super().post(request, *args, **kwargs)
        form = EmailStepForm(request.POST)
        if not form.is_valid():
            return self._email_step(form)
        email = form.cleaned_data["login"]
        provider = selectors.provider_for_email(email)
        if provider is not None:
            start = reverse("sso:start", args=[provider.public_id])
            return redirect(f"{start}?{urlencode({'next': self.get_next_url() or ''})}")
        return self._password_step(email)

    def _email_step(self, form):
        context = self.get_context_data(form=self.get_form_class()(request=self.request))
        context.update(step="email", email_form=form)
        return self.render_to_response(context)

    def _password_step(self, email):
        form = self.get_form_class()(initial={"login": email}, request=self.request)
        context = self.get_context_data(form=form)
        context.update(step="password", email=email)
        return self.render_to_response(context)


def _redirect_uri(request, provider):
    return request.build_absolute_uri(reverse("sso:oidc_callback", args=[provider.public_id]))


@never_cache
@require_GET
def start(request, public_id):
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("agency"), public_id=public_id, enabled=True
    )
    if provider.kind == IdentityProvider.Kind.SAML:
        return saml_views.start(request, provider)
    try:
        discovery = services.provider_discovery(provider)
        url, pending = oidc.authorization_request(
            provider,
            discovery,
            redirect_uri=_redirect_uri(request, provider),
            next_url=flow.safe_next(request, request.GET.get("next")),
        )
    except oidc.OidcError as error:
        services.audit_refusal(
            provider, target="", reason=error.reason, message=str(error), ip=client_ip(request)
        )
        return flow.failed(
            request,
            provider,
            _(
                "Your agency's sign-in service cannot be reached "
                "just now. Try again in a few minutes."
            ),
            status=502,
        )
    flow.remember_pending(request, PENDING_KEY, pending.as_session())
    return flow.hand_over_to_provider(request, provider, url)


CONTINUE_SALT = "academy.sso.continue"


@never_cache
@require_GET
def signed_out(request):
    """After signing out of Academy, on to the provider's own sign-out (the address was signed
    by Academy when the person signed in, so this page sends nobody anywhere else)."""
    try:
        url = signing.loads(request.GET.get("to", ""), salt=CONTINUE_SALT, max_age=86400 * 2)
    except signing.BadSignature:
        return redirect("home")
    return flow.hand_over(
        request,
        url,
        heading=_("You are signed out of Academy"),
        explanation=_(
            "Now signing you out of your agency's sign-in too. If nothing happens, choose Continue."
        ),
    )


def _take_pending(request, provider, state):
    """The request this callback answers (used once), or None."""
    found = flow.take_pending(request, PENDING_KEY, lambda p: bool(state) and p["state"] == state)
    if found is None or found["provider_id"] != provider.pk:
        return None
    return oidc.PendingRequest(**found)


@never_cache
@require_GET
def oidc_callback(request, public_id):
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("agency", "default_unit"),
        public_id=public_id,
        enabled=True,
        kind=IdentityProvider.Kind.OIDC,
    )
    ip = client_ip(request)
    pending = _take_pending(request, provider, request.GET.get("state", ""))
    try:
        if pending is None:
            raise oidc.OidcError("wrong_state", "unknown, used or expired state")
        if request.GET.get("error"):
            raise oidc.OidcError(
                "provider_error",
                f"{request.GET['error']}: {request.GET.get('error_description', '')}"[:300],
            )
        discovery = services.provider_discovery(provider)
        token = oidc.exchange_code(
            provider,
            discovery,
            code=request.GET.get("code", ""),
            pending=pending,
            redirect_uri=_redirect_uri(request, provider),
        )
        claims = oidc.verify_id_token(provider, discovery, token["id_token"], nonce=pending.nonce)
        # What the ID token lacks (a unit code or groups, often) comes from userinfo.
        claims = {**oidc.userinfo(discovery, token, subject=claims["sub"]), **claims}
    except oidc.OidcError as error:
        services.audit_refusal(provider, target="", reason=error.reason, message=str(error), ip=ip)
        return flow.failed(
            request,
            provider,
            _("Your agency's sign-in could not be completed. Start again from the sign-in page."),
        )
    asserted = services.asserted_from_claims(provider, str(claims["sub"]), claims)
    try:
        user = services.sign_in_asserted(provider, asserted, ip=ip)
    except services.SignInRefused as refused:
        return flow.failed(request, provider, refused.message, status=403)
    flow.finish_sign_in(request, user)
    logout_url = _provider_logout_url(request, discovery, token)
    if logout_url:
        token_ = signing.dumps(logout_url, salt=CONTINUE_SALT)
        request.session[PROVIDER_LOGOUT_URL_KEY] = (
            reverse("sso:signed_out") + "?" + urlencode({"to": token_})
        )
    return redirect(flow.safe_next(request, pending.next_url))


def _provider_logout_url(request, discovery, token):
    endpoint = discovery.get("end_session_endpoint")
    if not endpoint:
        return ""
    params = {
        "id_token_hint": token["id_token"],
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("home")),
    }
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


@require_GET
def jwks(request, public_id):
    provider = get_object_or_404(
        IdentityProvider, public_id=public_id, kind=IdentityProvider.Kind.OIDC
    )
    return JsonResponse(oidc.public_jwks(provider))


@agency_admin_required
def certificate(request, public_id):
    provider = flow.admin_provider(request, public_id, kind=IdentityProvider.Kind.OIDC)
    if not provider.signing_key:
        raise Http404
    response = HttpResponse(
        oidc.public_certificate_pem(provider), content_type="application/x-pem-file"
    )
    response["Content-Disposition"] = f'attachment; filename="academy-{provider.public_id}.pem"'
    return response


# The agency admin's pages.


@agency_admin_required
def provider_list(request):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    providers = selectors.provider_list(user=request.user, agency=agency)
    return render(
        request,
        "sso/provider_list.html",
        {
            "agency": agency,
            "providers": providers,
            "kinds": IdentityProvider.Kind.choices,
        },
    )


@agency_admin_required
def provider_edit(request, public_id=None, kind=None):
    agency = agency_for_actor(user=request.user)
    if agency is None:
        return redirect("agencies:agency_list")
    provider = None
    if public_id is not None:
        try:
            provider = selectors.provider_for_admin(
                user=request.user, agency=agency, public_id=public_id
            )
        except IdentityProvider.DoesNotExist as error:
            raise Http404 from error
        kind = provider.kind
    elif kind not in IdentityProvider.Kind.values:
        raise Http404
    form = ProviderForm(
        request.POST or None, request.FILES or None, instance=provider, agency=agency, kind=kind
    )
    if request.method == "POST" and form.is_valid():
        values = form.values() | ({"kind": kind} if provider is None else {})
        try:
            saved = services.provider_save(
                actor=request.user,
                agency=agency,
                provider=IdentityProvider.objects.get(pk=provider.pk) if provider else None,
                values=values,
                client_secret=form.cleaned_data.get("client_secret") or None,
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("sso:provider_edit", public_id=saved.public_id)
    context = {
        "agency": agency,
        "form": form,
        "provider": provider,
        "kind": kind,
        "kind_label": IdentityProvider.Kind(kind).label,
    }
    if provider is not None:
        context["redirect_uri"] = _redirect_uri(request, provider)
        context["jwks_url"] = request.build_absolute_uri(
            reverse("sso:jwks", args=[provider.public_id])
        )
        context["certificate_url"] = reverse("sso:certificate", args=[provider.public_id])
        context["unmatched"] = selectors.unmatched_unit_codes(provider=provider)
        context.update(saml_views.identity_team_context(request, provider))
    return render(request, "sso/provider_form.html", context)


@require_POST
@agency_admin_required
def provider_delete(request, public_id):
    provider = flow.admin_provider(request, public_id)
    services.provider_delete(actor=request.user, provider=provider, ip=client_ip(request))
    messages.success(request, _("Removed “%(name)s”.") % {"name": provider.name})
    return redirect("sso:provider_list")
