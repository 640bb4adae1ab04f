"""SAML 2.0 sign-in: Academy as a service provider (SP) of an agency's identity provider (IdP),
built on pysaml2, which signs and verifies with Debian's `xmlsec1` binary.

One SP per `IdentityProvider` row, configured from the row at each use:
- Academy's entity id is its SP metadata URL for that provider (`/sso/<public_id>/saml/metadata/`)
  and its assertion consumer service (ACS) `/sso/<public_id>/saml/acs/`, HTTP-POST binding;
- the IdP is known from its metadata (`metadata_xml`, uploaded, or fetched from `metadata_url`
  when the admin saves and cached there): its entity id, its single sign-on URL for the
  HTTP-Redirect binding, and the certificates whose signatures are accepted;
- a response is accepted only if the response or its assertion is signed by one of those
  certificates, it answers a request this person's session has outstanding (no unsolicited
  responses), its conditions hold now (NotBefore / NotOnOrAfter, one minute of clock skew) and
  its audience is Academy's entity id; each assertion id is accepted once (`UsedAssertion`).
"""

import datetime as dt
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import InMemoryMetaData
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse
from saml2.sigver import SignatureError, SigverError
from saml2.time_util import str_to_time

from .models import IdentityProvider, UsedAssertion

CLOCK_SKEW_SECONDS = 60
METADATA_MAX_BYTES = 1_000_000
METADATA_TIMEOUT_SECONDS = 10
IDP_DESCRIPTOR = "idpsso_descriptor"


class SamlError(Exception):
    """A SAML message Academy cannot accept; `reason` is the audit log's code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SpUrls:
    """Academy's side of one provider: its entity id (= the metadata URL), its ACS and its
    single logout service (SLS)."""

    entity_id: str
    acs: str
    sls: str = ""


@dataclass(frozen=True)
class VerifiedAssertion:
    """What a verified response said: the NameID, the attributes by Name and by FriendlyName,
    the assertion id and until when it could be replayed."""

    request_id: str
    subject: str
    attributes: dict
    assertion_id: str
    expires_at: object
    # What a LogoutRequest must name: the NameID as sent (format and qualifiers) and the
    # SessionIndex of the authentication statement.
    name_id: dict
    session_index: str


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise SamlError("xmlsec1_missing", "xmlsec1 is not installed (apt-get install -y xmlsec1)")
    return found


KEY_PAIR_DAYS = 3650


def new_key_pair(common_name: str) -> dict:
    """A new 2048-bit RSA key and a self-signed certificate over it (both PEM), for Academy to
    sign its messages to one IdP; the IdP trusts the certificate from Academy's SP metadata."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=KEY_PAIR_DAYS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {
        "key": key_pem.decode(),
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
    }


@contextmanager
def sp_key_files(provider: IdentityProvider):
    """pysaml2 and xmlsec1 read keys from files: the provider's key pair written to a private
    temporary folder for the block, as {"key_file", "cert_file"} ({} when it has none)."""
    if not provider.sp_key_pair:
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="academy-saml-") as folder:
        key_file, cert_file = Path(folder) / "sp.key", Path(folder) / "sp.crt"
        key_file.write_text(provider.sp_key_pair["key"])
        key_file.chmod(0o600)
        cert_file.write_text(provider.sp_key_pair["certificate"])
        yield {"key_file": str(key_file), "cert_file": str(cert_file)}


def _config(
    provider: IdentityProvider, urls: SpUrls, *, for_metadata=False, key_files=None
) -> SPConfig:
    key_files = key_files or {}
    endpoints = {"assertion_consumer_service": [(urls.acs, BINDING_HTTP_POST)]}
    if key_files and urls.sls:
        endpoints["single_logout_service"] = [(urls.sls, BINDING_HTTP_REDIRECT)]
    config = SPConfig()
    config.load(
        {
            "entityid": urls.entity_id,
            **key_files,
            "xmlsec_binary": xmlsec_binary(),
            "metadata": {"inline": [provider.metadata_xml]} if provider.metadata_xml else {},
            "allow_unknown_attributes": True,
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "service": {
                "sp": {
                    "name": f"Academy: {provider.agency.name}",
                    "endpoints": endpoints,
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "logout_requests_signed": bool(key_files),
                    # The response or the assertion must carry a valid signature of the IdP.
                    "want_assertions_or_response_signed": True,
                    # Academy's metadata asks for signed assertions (what Entra ID and Okta
                    # send by default); a signed response around an unsigned one also passes.
                    "want_assertions_signed": for_metadata,
                    "want_response_signed": False,
                    "only_use_keys_in_metadata": True,
                    "name_id_format_allow_create": True,
                }
            },
        }
    )
    return config


def _client(provider: IdentityProvider, urls: SpUrls) -> Saml2Client:
    return Saml2Client(config=_config(provider, urls))


def sp_metadata(provider: IdentityProvider, urls: SpUrls) -> str:
    """Academy's SP metadata for the agency's identity team (entity id, ACS, what it wants, and
    when the provider has its key pair: the signing certificate and the SLS)."""
    with sp_key_files(provider) as key_files:
        config = _config(provider, urls, for_metadata=True, key_files=key_files)
        config.metadata = None  # the IdP's metadata has no place in Academy's own
        document = create_metadata_string(None, config=config, valid=None)
    return document.decode() if isinstance(document, bytes) else document


def authn_request(provider: IdentityProvider, urls: SpUrls) -> tuple[str, str]:
    """(request id, URL to send the person to): an AuthnRequest by HTTP-Redirect binding."""
    client = _client(provider, urls)
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=idp_entity_id(provider), binding=BINDING_HTTP_REDIRECT
        )
    except Exception as error:  # pysaml2 raises bare exceptions for unusable metadata
        raise SamlError("bad_metadata", f"cannot build the request: {error}") from error
    location = dict(info["headers"])["Location"]
    return request_id, location


def idp_entity_id(provider: IdentityProvider) -> str:
    return provider.entity_id or metadata_idp_entity_ids(provider.metadata_xml)[0]


def verify_response(
    provider: IdentityProvider, urls: SpUrls, saml_response: str, outstanding: dict
) -> VerifiedAssertion:
    """Check an HTTP-POST response as the module's docstring says; raise SamlError if any
    check fails. `outstanding` maps the request ids this session sent to this IdP to anything."""
    if not saml_response:
        raise SamlError("no_response", "no SAMLResponse in the request")
    client = _client(provider, urls)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding
        )
    except UnsolicitedResponse as error:
        raise SamlError("unsolicited", "the response answers no request of this session") from error
    except (SignatureError, SigverError) as error:
        raise SamlError("bad_signature", f"signature missing or invalid: {error}") from error
    except StatusError as error:
        raise SamlError("provider_error", f"the identity provider said: {error}"[:300]) from error
    except Exception as error:  # pysaml2 raises bare exceptions for time and audience checks
        raise SamlError(_reason_for(error), str(error)[:300]) from error
    if response is None or response.assertion is None:
        raise SamlError("no_assertion", "the response carries no assertion")
    assertion = response.assertion
    if response.in_response_to not in outstanding:
        raise SamlError("unsolicited", "the response answers no request of this session")
    if response.issuer() != idp_entity_id(provider):
        raise SamlError("wrong_issuer", f"issued by {response.issuer()!r}")
    _require_audience(assertion, urls.entity_id)
    name_id = assertion.subject.name_id
    return VerifiedAssertion(
        request_id=response.in_response_to,
        subject=(assertion.subject.name_id.text or "").strip() if assertion.subject.name_id else "",
        attributes=_attributes(assertion),
        assertion_id=assertion.id,
        expires_at=_replayable_until(assertion),
        name_id={
            "text": (name_id.text or "").strip() if name_id else "",
            "format": (name_id.format or "") if name_id else "",
            "name_qualifier": (name_id.name_qualifier or "") if name_id else "",
            "sp_name_qualifier": (name_id.sp_name_qualifier or "") if name_id else "",
        },
        session_index=next(
            (s.session_index for s in assertion.authn_statement if s.session_index), ""
        ),
    )


def _reason_for(error: Exception) -> str:
    text = str(error)
    if "AudienceRestrictions" in text:
        return "wrong_audience"
    if "Can't use response" in text or "too old" in text or "not yet valid" in text:
        return "expired"
    return "invalid"


def _require_audience(assertion, entity_id: str) -> None:
    """pysaml2 accepts an assertion without any audience restriction; Academy does not."""
    conditions = assertion.conditions
    audiences = [
        (audience.text or "").strip()
        for restriction in (conditions.audience_restriction if conditions else [])
        for audience in restriction.audience
    ]
    if entity_id not in audiences:
        raise SamlError("wrong_audience", f"audience {audiences!r} is not {entity_id!r}")
    if not conditions.not_on_or_after:
        raise SamlError("expired", "the assertion has no NotOnOrAfter")


def _attributes(assertion) -> dict:
    """Every attribute's values, under its Name and under its FriendlyName, so an admin can map
    either (Entra ID sends claim URIs as Names, Okta the names its admin typed)."""
    found = {}
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            values = [value.text.strip() for value in attribute.attribute_value if value.text]
            for key in (attribute.name, attribute.friendly_name):
                if key:
                    found.setdefault(key, []).extend(values)
    return found


def _replayable_until(assertion):
    moments = [assertion.conditions.not_on_or_after]
    for confirmation in assertion.subject.subject_confirmation:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            moments.append(data.not_on_or_after)
    latest = max(str_to_time(moment) for moment in moments)
    until = datetime(*latest[:6], tzinfo=UTC)
    return until + timedelta(seconds=CLOCK_SKEW_SECONDS)


def assertion_use_once(provider: IdentityProvider, verified: VerifiedAssertion) -> None:
    """Record the assertion as used until it expires (and forget those that have expired);
    raise SamlError if it was used before."""
    UsedAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                provider=provider,
                assertion_id=verified.assertion_id,
                expires_at=verified.expires_at,
            )
    except IntegrityError as error:
        raise SamlError("replayed", "this assertion was already used") from error


# The identity provider's metadata, checked when the admin saves the provider.


def metadata_idp_entity_ids(xml: str) -> list[str]:
    """The entity ids of the identity providers the metadata describes (SamlError if none)."""
    document = InMemoryMetaData(None, xml)
    try:
        document.parse(xml)
    except Exception as error:
        raise SamlError("bad_metadata", f"not SAML metadata: {error}"[:300]) from error
    found = [entity_id for entity_id, roles in document.items() if IDP_DESCRIPTOR in roles]
    if not found:
        raise SamlError("bad_metadata", "no identity provider in the metadata")
    return found


def _idp_is_usable(xml: str, entity_id: str) -> None:
    document = InMemoryMetaData(None, xml)
    document.parse(xml)
    descriptors = document[entity_id][IDP_DESCRIPTOR]
    redirect = [
        service
        for descriptor in descriptors
        for service in descriptor.get("single_sign_on_service", [])
        if service.get("binding") == BINDING_HTTP_REDIRECT
    ]
    if not redirect:
        raise ValidationError(
            _("The identity provider's metadata has no single sign-on URL for HTTP-Redirect.")
        )
    for service in redirect:
        _require_https(service["location"])
    if not document.certs(entity_id, "idpsso", "signing"):
        raise ValidationError(_("The identity provider's metadata has no signing certificate."))


def _require_https(url: str) -> None:
    """Identity providers are reached over https, except in the embedded run and the tests
    (ACADEMY_SSO_ALLOW_HTTP, as for OpenID Connect)."""
    if not url.startswith("https://") and not settings.ACADEMY_SSO_ALLOW_HTTP:
        raise ValidationError(
            _("%(url)s is not an https address: identity providers are reached over https.")
            % {"url": url}
        )


def fetch_metadata(url: str) -> str:
    """The metadata document at `url` (https, unless ACADEMY_SSO_ALLOW_HTTP)."""
    _require_https(url)
    try:
        with requests.get(url, timeout=METADATA_TIMEOUT_SECONDS, stream=True) as answer:
            answer.raise_for_status()
            body = answer.raw.read(METADATA_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise ValidationError(
            _("The metadata URL could not be read: %(error)s") % {"error": error}
        ) from error
    if len(body) > METADATA_MAX_BYTES:
        raise ValidationError(_("The metadata at that URL is larger than 1 MB."))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(_("The metadata at that URL is not UTF-8 XML.")) from error


def provider_prepare(provider: IdentityProvider) -> None:
    """Before a SAML provider is saved: fetch its metadata from the URL (cached in
    metadata_xml), check it describes a usable IdP, and take its entity id when none was given
    (ValidationError otherwise)."""
    if provider.metadata_url:
        provider.metadata_xml = fetch_metadata(provider.metadata_url)
    try:
        entity_ids = metadata_idp_entity_ids(provider.metadata_xml)
    except SamlError as error:
        raise ValidationError(
            _("The identity provider's metadata could not be read: %(error)s") % {"error": error}
        ) from error
    if not provider.entity_id:
        if len(entity_ids) > 1:
            raise ValidationError(
                _("The metadata describes several identity providers: give the entity id.")
            )
        provider.entity_id = entity_ids[0]
    elif provider.entity_id not in entity_ids:
        raise ValidationError(
            _("The metadata does not describe the identity provider %(entity_id)s.")
            % {"entity_id": provider.entity_id}
        )
    _idp_is_usable(provider.metadata_xml, provider.entity_id)
