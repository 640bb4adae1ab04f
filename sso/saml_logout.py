"""SAML 2.0 single logout, SP-initiated: after Academy's own sign-out, a LogoutRequest signed
with the provider's key pair (`IdentityProvider.sp_key_pair`) goes to the IdP's
SingleLogoutService by HTTP-Redirect binding, and the IdP's LogoutResponse comes back to
Academy's SLS (`/sso/<public_id>/saml/sls/`), HTTP-Redirect binding too.

A LogoutResponse is accepted only if its redirect signature (`SigAlg` + `Signature` over the
query string as received) verifies with a signing certificate of the IdP's metadata, by an RSA
algorithm of SHA-256 or stronger; it is issued by the IdP; and it answers a LogoutRequest
Academy sent (`InResponseTo`, kept in the cache for ten minutes, used once: Academy's session is
already over when the response arrives).
"""

import base64
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlencode

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.cache import cache
from saml2 import BINDING_HTTP_REDIRECT, samlp
from saml2.client import Saml2Client
from saml2.mdstore import InMemoryMetaData
from saml2.s_utils import decode_base64_and_inflate, deflate_and_base64_encode
from saml2.saml import NameID
from saml2.xmldsig import SIG_RSA_SHA256

from . import saml
from .models import IdentityProvider

PENDING_SECONDS = 600
CACHE_PREFIX = "sso:saml-logout:"
SIGNATURE_HASHES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
RESPONSE_ORDER = ("SAMLResponse", "RelayState", "SigAlg")


@dataclass(frozen=True)
class LogoutAnswer:
    request_id: str
    success: bool


def slo_location(provider: IdentityProvider) -> str:
    """The IdP's SingleLogoutService for the HTTP-Redirect binding, from its metadata ("" when
    it has none, or Academy has no key pair to sign with for this provider)."""
    if not provider.sp_key_pair or not provider.metadata_xml:
        return ""
    try:
        document = InMemoryMetaData(None, provider.metadata_xml)
        document.parse(provider.metadata_xml)
        descriptors = document[saml.idp_entity_id(provider)][saml.IDP_DESCRIPTOR]
    except Exception:  # unreadable metadata: no single logout, as for a provider without one
        return ""
    return next(
        (
            service["location"]
            for descriptor in descriptors
            for service in descriptor.get("single_logout_service", [])
            if service.get("binding") == BINDING_HTTP_REDIRECT
        ),
        "",
    )


def logout_request(provider: IdentityProvider, urls: saml.SpUrls, signed_in: dict) -> str:
    """The URL that sends the person's browser to the IdP's SingleLogoutService with a signed
    LogoutRequest for `signed_in` (the NameID and SessionIndex kept at sign-in: see
    `sign_in_record`); its id waits in the cache for the response."""
    location = slo_location(provider)
    if not location:
        raise saml.SamlError("no_slo", "the identity provider has no single logout service")
    name_id = signed_in["name_id"]
    client = Saml2Client(config=saml._config(provider, urls))
    request_id, request = client.create_logout_request(
        location,
        saml.idp_entity_id(provider),
        name_id=NameID(
            text=name_id["text"],
            format=name_id["format"] or None,
            name_qualifier=name_id["name_qualifier"] or None,
            sp_name_qualifier=name_id["sp_name_qualifier"] or None,
        ),
        session_indexes=[signed_in["session_index"]] if signed_in["session_index"] else None,
        sign=False,  # the HTTP-Redirect binding signs the query string instead
    )
    cache.set(CACHE_PREFIX + request_id, provider.pk, PENDING_SECONDS)
    return location + ("&" if "?" in location else "?") + _signed_query(provider, str(request))


def _signed_query(provider: IdentityProvider, message: str) -> str:
    """`SAMLRequest=…&SigAlg=…&Signature=…` (HTTP-Redirect binding, RSA-SHA256). Signed here
    rather than by pysaml2's `apply_binding`, whose signer is one object shared by every
    thread, its key swapped in before each signature."""
    query = urlencode({"SAMLRequest": deflate_and_base64_encode(message), "SigAlg": SIG_RSA_SHA256})
    key = serialization.load_pem_private_key(provider.sp_key_pair["key"].encode(), None)
    signature = key.sign(query.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return query + "&" + urlencode({"Signature": base64.b64encode(signature).decode()})


def sign_in_record(provider: IdentityProvider, verified: saml.VerifiedAssertion) -> dict:
    """What a later LogoutRequest needs from this sign-in, to keep in the session."""
    return {
        "provider_id": provider.pk,
        "name_id": verified.name_id,
        "session_index": verified.session_index,
    }


def verify_logout_response(provider: IdentityProvider, query_string: str) -> LogoutAnswer:
    """Check a LogoutResponse received by HTTP-Redirect binding, as the module's docstring
    says (raw `query_string` of the request); raise SamlError if any check fails."""
    raw = _raw_parameters(query_string)
    if "SAMLResponse" not in raw:
        raise saml.SamlError("no_response", "no SAMLResponse in the request")
    _require_signature(provider, raw)
    try:
        xml = decode_base64_and_inflate(unquote_plus(raw["SAMLResponse"]))
        response = samlp.logout_response_from_string(xml)
    except Exception as error:
        raise saml.SamlError("invalid", f"not a LogoutResponse: {error}"[:300]) from error
    if response is None:
        raise saml.SamlError("invalid", "not a LogoutResponse")
    issuer = (response.issuer.text or "").strip() if response.issuer is not None else ""
    if issuer != saml.idp_entity_id(provider):
        raise saml.SamlError("wrong_issuer", f"issued by {issuer!r}")
    request_id = response.in_response_to or ""
    if not request_id or cache.get(CACHE_PREFIX + request_id) != provider.pk:
        raise saml.SamlError("unsolicited", "the response answers no waiting LogoutRequest")
    cache.delete(CACHE_PREFIX + request_id)
    status = response.status.status_code.value if response.status is not None else ""
    return LogoutAnswer(request_id=request_id, success=status == samlp.STATUS_SUCCESS)


def _raw_parameters(query_string: str) -> dict:
    """Each parameter's value as received (still URL-encoded): the signature covers those
    exact bytes, whatever encoding the IdP chose."""
    found = {}
    for part in query_string.split("&"):
        name, _sep, value = part.partition("=")
        found.setdefault(unquote_plus(name), value)
    return found


def _require_signature(provider: IdentityProvider, raw: dict) -> None:
    algorithm = SIGNATURE_HASHES.get(unquote_plus(raw.get("SigAlg", "")))
    if not raw.get("Signature") or algorithm is None:
        raise saml.SamlError("bad_signature", "the LogoutResponse is not signed (RSA-SHA256+)")
    signed = "&".join(f"{name}={raw[name]}" for name in RESPONSE_ORDER if name in raw).encode()
    try:
        signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=True)
    except ValueError as error:
        raise saml.SamlError("bad_signature", "the signature is not base64") from error
    for certificate in _idp_signing_certificates(provider):
        try:
            certificate.public_key().verify(signature, signed, padding.PKCS1v15(), algorithm())
        except (InvalidSignature, TypeError, ValueError):
            continue
        return
    raise saml.SamlError("bad_signature", "the LogoutResponse's signature does not verify")


def _idp_signing_certificates(provider: IdentityProvider) -> list:
    document = InMemoryMetaData(None, provider.metadata_xml)
    document.parse(provider.metadata_xml)
    found = []
    for _name, der_base64 in document.certs(saml.idp_entity_id(provider), "idpsso", "signing"):
        body = "".join(der_base64.split())
        found.append(x509.load_der_x509_certificate(base64.b64decode(body)))
    return found
