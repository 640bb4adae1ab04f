"""Public, stable URLs of the issuer (DID document, JWKS, profile, status list), the learner's
credential downloads, and the verification of a pasted credential."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.models import Agency
from agencies.permissions import agency_admin_required, client_ip
from learning.access import access_certificate

from . import selectors, services
from .access import platform_admin_required
from .document import sign
from .forms import CredentialPolicyForm, VerifyForm
from .identity import CONTEXTS, REVOCATION_LIST, issuer_profile, issuer_profile_url
from .keys import did_document, jwks
from .verify import credential_verify

PUBLIC_MAX_AGE = 300  # keys and the status list change rarely; verifiers may cache briefly


def _public(response: HttpResponse) -> HttpResponse:
    """Any verifier, including a web page elsewhere, may fetch it."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def _json(data: dict, content_type: str = "application/json") -> HttpResponse:
    return _public(JsonResponse(data, content_type=content_type, json_dumps_params={"indent": 2}))


@require_GET
def did_json(request):
    return _json(did_document(selectors.published_keys()), "application/did+json")


@require_GET
def jwks_json(request):
    return _json(jwks(selectors.published_keys()), "application/jwk-set+json")


@require_GET
def issuer(request):
    """The issuer's OB 3.0 Profile, with where its keys are published."""
    return _json(
        {
            "@context": list(CONTEXTS),
            **issuer_profile(),
            "otherIdentifier": [
                {
                    "type": "IdentifierEntry",
                    "identifier": issuer_profile_url(),
                    "identifierType": "url",
                }
            ],
        }
    )


@require_GET
def status_list(request, name):
    if name != REVOCATION_LIST:
        raise Http404
    document = selectors.revocation_list_credential()
    token = sign(document, issued_at=timezone.now(), key=services.issuer_key_active())
    return _public(HttpResponse(token, content_type="application/vc+jwt"))


def _download(content: str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def credential_json(request, code):
    certificate = access_certificate(request.user, code)
    credential = services.credential_issue(certificate=certificate)
    return _download(
        json.dumps(credential.document, indent=2, ensure_ascii=False),
        filename=f"credential-{code}.json",
        content_type="application/json",
    )


@login_required
@require_GET
def credential_jwt(request, code):
    certificate = access_certificate(request.user, code)
    credential = services.credential_issue(certificate=certificate)
    return _download(
        credential.signed, filename=f"credential-{code}.jwt", content_type="application/vc+jwt"
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyForm(request.POST or None, request.FILES or None, auto_id="credential-%s")
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = credential_verify(form.cleaned_data["text"])
    return render(request, "credentials/verify.html", {"form": form, "verdict": verdict})


@platform_admin_required
@require_GET
def keys(request):
    """The platform's signing keys, for platform admins, with the button that rotates them."""
    return render(request, "credentials/keys.html", {"keys": selectors.keys_with_counts()})


@platform_admin_required
@require_POST
def key_rotate(request):
    key = services.issuer_key_rotate(actor=request.user, ip=client_ip(request))
    messages.success(
        request,
        _("A new signing key is active (%(kid)s). The previous key stays published.")
        % {"kid": key.kid},
    )
    return redirect("credentials:keys")


@agency_admin_required
@require_http_methods(["GET", "POST"])
def agency_settings(request):
    """The agency admin's credential options: include the result in the credential."""
    agency = Agency.objects.filter(pk=actor_for(request.user).agency_id).first()
    if agency is None:
        raise Http404
    policy = selectors.credential_policy(agency_id=agency.pk)
    form = CredentialPolicyForm(
        request.POST or None, initial={"include_result": policy.include_result}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_policy_update(
                actor=request.user,
                agency=agency,
                include_result=form.cleaned_data["include_result"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Credential options saved."))
            return redirect("credentials:agency_settings")
    return render(request, "credentials/agency_settings.html", {"form": form})
