"""A SAML 2.0 identity provider for the tests, built with pysaml2's `Server` and served over real
HTTP on loopback (werkzeug), with its own RSA key and self-signed certificate made here with
`cryptography`.

Metadata goes both ways: Academy reads the IdP's from `<base>/metadata` (the admin gives the URL,
or uploads the file), and the IdP trusts Academy's SP metadata (`trust_sp`), which it needs to
accept Academy's AuthnRequest. `<base>/sso/redirect` takes the AuthnRequest by HTTP-Redirect
binding and answers, as a real IdP's page would, with a form that posts a response to the ACS the
request named; `answer_from(html)` reads that form.

`misbehave` makes the next response wrong in one way: "unsigned" (neither the response nor the
assertion signed), "expired" (issued two hours ago), "wrong_audience" (meant for another SP),
"no_audience" (no audience restriction at all), "unsolicited" (answers no request), "refuses"
(a signed error response: authentication failed). `tamper(response, old, new)` changes a signed response.

Single logout: `<base>/slo/redirect` takes a LogoutRequest by HTTP-Redirect binding, verifies its
signature with the signing certificate of the SP metadata it trusts (a request without a valid
signature gets 403), keeps it in `logout_requests`, and redirects to the SP's single logout
service with a LogoutResponse signed by HTTP-Redirect binding. `misbehave` "unsigned_logout"
leaves the LogoutResponse unsigned; "no_slo" leaves the SLO endpoint out of the metadata.
"""

import base64
import datetime
import html
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT, assertion, saml, samlp
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.server import Server
from saml2.sigver import RSACrypto, verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sso.saml import xmlsec_binary


def key_and_certificate(common_name: str) -> tuple[bytes, bytes]:
    """A new 2048-bit RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


class SamlTestIdp:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="academy-saml-idp-"))
        key, certificate = key_and_certificate("Academy test IdP")
        (self.folder / "idp.key").write_bytes(key)
        (self.folder / "idp.crt").write_bytes(certificate)
        self.base = ""
        self.sp_metadata = []
        self.subject = "saml-user-0001"
        self.attributes = {}
        self.misbehave = ""
        self.requests = []  # every AuthnRequest received, parsed
        self.logout_requests = []  # every LogoutRequest whose signature verified, parsed
        self.server = None

    @property
    def entity_id(self) -> str:
        return f"{self.base}/metadata"

    def _config(self) -> IdPConfig:
        endpoints = {
            "single_sign_on_service": [(f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]
        }
        if self.misbehave != "no_slo":
            endpoints["single_logout_service"] = [
                (f"{self.base}/slo/redirect", BINDING_HTTP_REDIRECT)
            ]
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": xmlsec_binary(),
                "key_file": str(self.folder / "idp.key"),
                "cert_file": str(self.folder / "idp.crt"),
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                "service": {
                    "idp": {
                        "name": "Academy test IdP",
                        "endpoints": endpoints,
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                        "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT],
                    }
                },
            }
        )
        return config

    def start(self):
        self.server = Server(config=self._config())

    def trust_sp(self, sp_metadata_xml: str):
        """Trust a service provider from its metadata (as the identity team uploads it)."""
        self.sp_metadata.append(sp_metadata_xml)
        self.server = Server(config=self._config())

    def metadata(self) -> str:
        document = create_metadata_string(None, config=self._config(), valid=None)
        return document.decode() if isinstance(document, bytes) else document

    # HTTP.

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/metadata":
            response = Response(self.metadata(), content_type="application/samlmetadata+xml")
        elif request.path == "/sso/redirect":
            response = self.single_sign_on(request)
        elif request.path == "/slo/redirect":
            response = self.single_logout(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def single_sign_on(self, request):
        parsed = self.server.parse_authn_request(request.args["SAMLRequest"], BINDING_HTTP_REDIRECT)
        message = parsed.message
        self.requests.append(message)
        acs = message.assertion_consumer_service_url
        saml_response = self.response_for(
            sp_entity_id=message.issuer.text, acs=acs, in_response_to=message.id
        )
        return Response(_post_form(acs, saml_response), content_type="text/html")

    def single_logout(self, request):
        parsed = self.server.parse_logout_request(
            request.args["SAMLRequest"], BINDING_HTTP_REDIRECT
        )
        message = parsed.message
        sp_entity_id = message.issuer.text
        certificates = [
            cert for _name, cert in self.server.metadata.certs(sp_entity_id, "spsso", "signing")
        ]
        if "Signature" not in request.args or not any(
            verify_redirect_signature(request.args.to_dict(), RSACrypto(None), cert=certificate)
            for certificate in certificates
        ):
            return Response("LogoutRequest not signed by the SP", status=403)
        self.logout_requests.append(message)
        logout_response = self.server.create_logout_response(
            message, bindings=[BINDING_HTTP_REDIRECT], sign=False
        )
        destination = self.server.metadata.single_logout_service(
            sp_entity_id, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(logout_response),
            destination,
            relay_state=request.args.get("RelayState", ""),
            response=True,
            sign=self.misbehave != "unsigned_logout",
            sigalg=SIG_RSA_SHA256,
        )
        return Response(status=302, headers={"Location": dict(info["headers"])["Location"]})

    def response_for(self, *, sp_entity_id, acs, in_response_to) -> str:
        """A base64 response to the request, signed on the assertion unless misbehaving."""
        misbehave = self.misbehave
        signed = misbehave != "unsigned"
        arguments = dict(
            identity=self.attributes,
            in_response_to=None if misbehave == "unsolicited" else in_response_to,
            destination=acs,
            sp_entity_id=sp_entity_id,
            name_id=saml.NameID(format=saml.NAMEID_FORMAT_PERSISTENT, text=self.subject),
            authn={"class_ref": PASSWORDPROTECTEDTRANSPORT},
            sign_assertion=signed,
            sign_response=False,
        )
        if misbehave == "expired":
            with time_machine.travel(
                datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
            ):
                xml = self.server.create_authn_response(**arguments)
        elif misbehave == "refuses":
            xml = self.server.create_error_response(
                in_response_to, acs, (samlp.STATUS_AUTHN_FAILED, "no such person"), sign=True
            )
        elif misbehave == "no_audience":
            conditions = assertion.Policy.conditions

            def without_audience(policy, sp):
                found = conditions(policy, sp)
                found.audience_restriction = []
                return found

            with mock.patch.object(assertion.Policy, "conditions", without_audience):
                xml = self.server.create_authn_response(**arguments)
        elif misbehave == "wrong_audience":
            conditions = assertion.Policy.conditions
            with mock.patch.object(
                assertion.Policy,
                "conditions",
                lambda policy, _sp: conditions(policy, "https://another-sp.example/"),
            ):
                xml = self.server.create_authn_response(**arguments)
        else:
            xml = self.server.create_authn_response(**arguments)
        return base64.b64encode(str(xml).encode()).decode()


def tamper(saml_response: str, old: str, new: str) -> str:
    """The response with `old` replaced by `new` after it was signed."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml, "nothing to tamper with"
    return base64.b64encode(xml.replace(old, new).encode()).decode()


def _post_form(acs: str, saml_response: str) -> str:
    return (
        f'<form method="post" action="{html.escape(acs)}">'
        f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
        f'<button type="submit">Continue</button></form>'
    )


def answer_from(page: str) -> tuple[str, str]:
    """(ACS URL, SAMLResponse) from the IdP's page."""
    action = re.search(r'action="([^"]+)"', page).group(1)
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
    return html.unescape(action), value


@contextmanager
def running(idp: SamlTestIdp, host="127.0.0.1"):
    """Serve `idp` on a free loopback port for the block; yields it with `base` set (its
    address written with `host`, which must name the loopback interface)."""
    server = make_server("127.0.0.1", 0, idp, threaded=True)
    idp.base = f"http://{host}:{server.server_port}"
    idp.start()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        thread.join(5)
