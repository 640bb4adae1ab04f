"""OpenID Connect relying party: the authorization code flow with PKCE, as Login.gov, Entra ID
and Okta expect it.

- Every request carries `state` and `nonce` of 43 characters (32 random bytes) and a PKCE
  `code_challenge` (S256) of an 86-character verifier; all three are kept in the person's
  session for that one request and used once.
- The client authenticates at the token endpoint with `private_key_jwt` (RFC 7523: a JWT signed
  by Academy's key for this provider, whose public half is served at the provider's JWKS URL;
  what Login.gov requires for web applications) or a client secret, through Authlib.
- The ID token from the token endpoint is verified in full with joserfc: signature by a key of
  the provider's JWKS (fetched again once when the `kid` is unknown, for key rotation), `iss`
  equal to the configured issuer, `aud` containing the client id (and `azp` equal to it when
  there are several), `exp` and `iat` (one minute of leeway), `sub`, and `nonce` equal to the
  one sent.
"""

import base64
import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from .models import IdentityProvider

HTTP_TIMEOUT = 10
CLOCK_LEEWAY = 60
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CLIENT_ASSERTION_SECONDS = 300
# Login.gov (production and its sandbox) requires prompt=select_account on every request.
LOGIN_GOV_HOSTS = ("login.gov", "identitysandbox.gov")


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; `reason` is a short code for the audit
    log, the message says what went wrong."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


@dataclass(frozen=True)
class PendingRequest:
    """What the callback needs from the authorization request: kept in the session."""

    provider_id: int
    state: str
    nonce: str
    verifier: str
    next_url: str
    started: float

    def as_session(self) -> dict:
        return self.__dict__.copy()


def new_signing_key() -> dict:
    """A fresh RSA key pair for private_key_jwt, as a private JWK with a key id."""
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    return key.as_dict(private=True) | {"use": "sig", "alg": "RS256"}


def public_jwks(provider: IdentityProvider) -> dict:
    """The public half of Academy's key for this provider, as a JWKS document."""
    if not provider.signing_key:
        return {"keys": []}
    public = RSAKey.import_key(provider.signing_key).as_dict(private=False)
    return {"keys": [public | {"use": "sig", "alg": "RS256", "kid": provider.signing_key["kid"]}]}


def public_certificate_pem(provider: IdentityProvider) -> bytes:
    """A self-signed X.509 certificate over Academy's key for this provider, for providers that
    take a certificate rather than a JWKS (Login.gov's partner portal). Made afresh on each call:
    what the provider uses is the public key inside, which never changes."""
    private_key = RSAKey.import_key(provider.signing_key).private_key
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"Academy {provider.agency.slug} {provider.pk}")]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=730))
        .sign(private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def _get_json(url: str) -> dict:
    _check_transport(url)
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise OidcError("provider_unreachable", f"{url}: {error}") from error


def _check_transport(url: str) -> None:
    if not url.startswith("https://") and not settings.ACADEMY_SSO_ALLOW_HTTP:
        raise OidcError("insecure_url", f"{url} is not https")


def fetch_discovery(issuer: str) -> dict:
    """The provider's discovery document; its `issuer` must be exactly the configured one."""
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise OidcError(
            "issuer_mismatch",
            f"the discovery document names issuer {document.get('issuer')!r}, not {issuer!r}",
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(name):
            raise OidcError("bad_discovery", f"the discovery document has no {name}")
    return document


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def code_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def authorization_request(
    provider: IdentityProvider, discovery: dict, *, redirect_uri: str, next_url: str
) -> tuple[str, PendingRequest]:
    """The URL to send the person to, and what to keep until they come back."""
    pending = PendingRequest(
        provider_id=provider.pk,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),
        next_url=next_url,
        started=time.time(),
    )
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scopes,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": code_challenge(pending.verifier),
        "code_challenge_method": "S256",
    }
    if provider.acr_values.strip():
        params["acr_values"] = provider.acr_values.strip()
    if _is_login_gov(provider.issuer):
        params["prompt"] = "select_account"  # Login.gov requires it
    endpoint = discovery["authorization_endpoint"]
    _check_transport(endpoint)
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(params), pending


def _is_login_gov(issuer: str) -> bool:
    host = urlsplit(issuer).hostname or ""
    return host in LOGIN_GOV_HOSTS or host.endswith(tuple("." + h for h in LOGIN_GOV_HOSTS))


def _client(provider: IdentityProvider, token_endpoint: str) -> OAuth2Session:
    if provider.client_auth == IdentityProvider.ClientAuth.PRIVATE_KEY_JWT:
        session = OAuth2Session(
            provider.client_id,
            RSAKey.import_key(provider.signing_key),
            token_endpoint_auth_method="private_key_jwt",
        )
        session.register_client_auth_method(
            PrivateKeyJWT(
                token_endpoint,
                headers={"kid": provider.signing_key["kid"]},
                claims={"exp": int(time.time()) + CLIENT_ASSERTION_SECONDS},
            )
        )
        return session
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        token_endpoint_auth_method=provider.client_auth,
    )


def exchange_code(
    provider: IdentityProvider,
    discovery: dict,
    *,
    code: str,
    pending: PendingRequest,
    redirect_uri: str,
) -> dict:
    """Trade the authorization code (and the PKCE verifier) for the provider's tokens."""
    token_endpoint = discovery["token_endpoint"]
    _check_transport(token_endpoint)
    session = _client(provider, token_endpoint)
    try:
        token = session.fetch_token(
            token_endpoint,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=pending.verifier,
            timeout=HTTP_TIMEOUT,
        )
    except Exception as error:  # Authlib raises its OAuthError and requests' errors alike.
        raise OidcError("token_refused", f"the token endpoint refused the code: {error}") from error
    if not token.get("id_token"):
        raise OidcError("no_id_token", "the token endpoint sent no ID token")
    return dict(token)


def _keys(discovery: dict, *, fresh: bool = False) -> KeySet:
    from django.core.cache import cache

    cache_key = "sso:jwks:" + hashlib.sha256(discovery["jwks_uri"].encode()).hexdigest()
    document = None if fresh else cache.get(cache_key)
    if document is None:
        document = _get_json(discovery["jwks_uri"])
        cache.set(cache_key, document, 3600)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise OidcError("bad_jwks", f"the provider's JWKS cannot be read: {error}") from error


def _decode(id_token: str, keys: KeySet):
    return jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)


def verify_id_token(
    provider: IdentityProvider, discovery: dict, id_token: str, *, nonce: str
) -> dict:
    """The ID token's claims, once every check in the module's docstring has passed."""
    try:
        try:
            token = _decode(id_token, _keys(discovery))
        except (JoseError, ValueError):
            # Perhaps the provider rotated its keys since they were cached: read them once more.
            token = _decode(id_token, _keys(discovery, fresh=True))
    except (JoseError, ValueError) as error:
        raise OidcError(
            "bad_signature", f"the ID token's signature is not valid: {error}"
        ) from error
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        reason = {
            "iss": "wrong_issuer",
            "aud": "wrong_audience",
            "exp": "expired",
            "iat": "bad_issued_at",
            "nonce": "wrong_nonce",
            "sub": "no_subject",
        }.get(getattr(error, "claim", ""), "bad_claims")
        raise OidcError(reason, f"the ID token was refused: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise OidcError("wrong_audience", "the ID token names other audiences without azp")
    if claims["iat"] > time.time() + CLOCK_LEEWAY:
        raise OidcError("bad_issued_at", "the ID token was issued in the future")
    return claims


def userinfo(discovery: dict, token: dict, *, subject: str) -> dict:
    """The userinfo endpoint's claims (for what the ID token lacks), for the same subject."""
    endpoint = discovery.get("userinfo_endpoint")
    if not endpoint:
        return {}
    _check_transport(endpoint)
    try:
        response = requests.get(
            endpoint,
            timeout=HTTP_TIMEOUT,
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        response.raise_for_status()
        claims = response.json()
    except (requests.RequestException, ValueError, KeyError) as error:
        raise OidcError("userinfo_failed", f"userinfo: {error}") from error
    if claims.get("sub") != subject:
        raise OidcError("userinfo_subject", "userinfo answered for another subject")
    return claims
