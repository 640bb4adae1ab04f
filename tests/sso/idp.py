"""An OpenID Connect provider the tests control, served over real HTTP on loopback.

oidc-provider-mock (used for the ordinary flow) accepts any client and only client secrets, so
this one checks what Academy must do right and can be told to answer wrongly:
- the token endpoint verifies the client's `private_key_jwt` assertion against the public keys
  it was given (signature, iss = sub = client id, aud = token endpoint, exp, unused jti) or the
  client secret, and the PKCE verifier against the challenge (S256);
- `misbehave` makes the next ID token wrong in one way: "wrong_nonce", "expired",
  "wrong_audience", "wrong_issuer", "unknown_key", "replay" (an ID token issued before), or the
  authorization answer carry another state ("wrong_state").
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class TestProvider:
    def __init__(self, *, client_id="academy", client_secret=None, client_jwks=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.client_jwks = client_jwks
        self.key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        self.other_key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        self.users = {}  # login hint (email) -> claims; the next authorization signs in `user`
        self.user = None
        self.codes = {}
        self.issued = []
        self.used_jtis = set()
        self.misbehave = ""
        self.requests = []  # every authorization request's parameters
        self.token_errors = []
        self.base = ""

    # Endpoints.

    def __call__(self, environ, start_response):
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/authorize": self.authorize,
            "/token": self.token,
            "/jwks": self.jwks,
            "/userinfo": self.userinfo,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, request):
        return _json(
            {
                "issuer": self.base,
                "authorization_endpoint": self.base + "/authorize",
                "token_endpoint": self.base + "/token",
                "jwks_uri": self.base + "/jwks",
                "userinfo_endpoint": self.base + "/userinfo",
                "end_session_endpoint": self.base + "/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
            }
        )

    def authorize(self, request):
        params = dict(request.args)
        self.requests.append(params)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "claims": dict(self.user)}
        state = (
            "not-" + params.get("state", "") if self.misbehave == "wrong_state" else params["state"]
        )
        location = params["redirect_uri"] + "?" + urlencode({"code": code, "state": state})
        return Response(status=302, headers={"Location": location})

    def token(self, request):
        form = request.form
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None:
            return self._token_error("invalid_grant", "unknown or used code")
        problem = self._client_problem(request) or self._pkce_problem(grant, form)
        if problem:
            return self._token_error(
                "invalid_client" if "client" in problem else "invalid_grant", problem
            )
        id_token = self._id_token(grant)
        return _json(
            {
                "access_token": "at-" + secrets.token_urlsafe(8),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def jwks(self, request):
        return _json({"keys": [self.key.as_dict(private=False) | {"use": "sig", "alg": "RS256"}]})

    def userinfo(self, request):
        return _json(self.user or {})

    # Checks.

    def _token_error(self, error, description):
        self.token_errors.append(description)
        return _json({"error": error, "error_description": description}, status=400)

    def _client_problem(self, request):
        form = request.form
        if self.client_jwks is not None:
            if form.get("client_assertion_type") != (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ):
                return "client assertion missing"
            try:
                assertion = jwt.decode(
                    form["client_assertion"], KeySet.import_key_set(self.client_jwks)
                )
            except Exception as error:  # noqa: BLE001 - any failure is a refusal here
                return f"client assertion signature: {error}"
            claims = assertion.claims
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return "client assertion iss/sub"
            if claims.get("aud") != self.base + "/token":
                return "client assertion aud"
            if claims.get("exp", 0) < time.time() or claims.get("jti") in self.used_jtis:
                return "client assertion expired or replayed"
            self.used_jtis.add(claims.get("jti"))
            return None
        auth = request.authorization
        if auth is None or auth.username != self.client_id or auth.password != self.client_secret:
            return "client secret"
        return None

    @staticmethod
    def _pkce_problem(grant, form):
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if grant.get("code_challenge_method") != "S256" or not verifier:
            return "PKCE missing"
        if challenge.rstrip(b"=").decode() != grant.get("code_challenge"):
            return "PKCE verifier does not match"
        return None

    def _id_token(self, grant):
        if self.misbehave == "replay" and self.issued:
            return self.issued[0]
        now = int(time.time())
        claims = {
            "iss": self.base,
            "aud": self.client_id,
            "sub": grant["claims"]["sub"],
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
            **{k: v for k, v in grant["claims"].items() if k != "sub"},
        }
        key = self.key
        if self.misbehave == "wrong_nonce":
            claims["nonce"] = "n" * 43
        elif self.misbehave == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.misbehave == "wrong_audience":
            claims["aud"] = "someone-else"
        elif self.misbehave == "wrong_issuer":
            claims["iss"] = "https://elsewhere.example"
        elif self.misbehave == "unknown_key":
            key = self.other_key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        self.issued.append(token)
        return token


def _json(document, status=200):
    return Response(json.dumps(document), status=status, content_type="application/json")


@contextmanager
def running(provider: TestProvider):
    """Serve `provider` on a free loopback port for the block; yields it with `base` set."""
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    provider.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(url.split("?", 1)[1]).items()}
