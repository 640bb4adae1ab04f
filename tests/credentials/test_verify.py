"""The verifier: a genuine credential is valid; a tampered one, one signed by another key, a
revoked one, an expired one and the unsigned readable copy are not, each with its reason."""

import datetime
import json

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from credentials import services
from credentials.document import sign
from credentials.verify import credential_verify
from learning import services as learning

from .conftest import b64url_encode, jwt_parts, published_jwk, rs256_holds

pytestmark = pytest.mark.django_db


def failed(verdict) -> dict:
    return {str(check.label): str(check.detail) for check in verdict.checks if not check.passed}


def test_a_genuine_credential_is_valid(credential, certificate):
    verdict = credential_verify(credential.signed)
    assert verdict.valid, failed(verdict)
    assert verdict.summary["name"] == certificate.learner_name
    assert verdict.summary["course"] == certificate.course_title


def test_surrounding_whitespace_and_the_enveloped_form_are_accepted(credential):
    assert credential_verify(f"\n  {credential.signed}\n").valid
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{credential.signed}",
    }
    assert credential_verify(json.dumps(envelope)).valid


def test_a_tampered_credential_is_rejected(client, credential):
    header, payload, signature = credential.signed.split(".")
    claims = jwt_parts(credential.signed)[1]
    claims["credentialSubject"]["achievement"]["name"] = "Advanced Quantum Leadership"
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    kid = jwt_parts(credential.signed)[0]["kid"]
    assert not rs256_holds(forged, published_jwk(client, kid))  # independent check
    verdict = credential_verify(forged)
    assert not verdict.valid
    assert "changed" in failed(verdict)["Signature"]
    assert verdict.credential is None  # nothing of a forged payload is shown


def test_a_credential_signed_by_another_key_is_rejected(client, credential):
    header, claims = jwt_parts(credential.signed)
    impostor = RSAKey.generate_key(2048)
    forged = jwt.encode(header, claims, impostor)  # same kid, same claims, another key
    assert not rs256_holds(forged, published_jwk(client, header["kid"]))
    assert not credential_verify(forged).valid


def test_a_credential_naming_an_unknown_key_is_rejected(credential):
    header, claims = jwt_parts(credential.signed)
    impostor = RSAKey.generate_key(2048)
    forged = jwt.encode({**header, "kid": "did:web:evil.example#key"}, claims, impostor)
    verdict = credential_verify(forged)
    assert not verdict.valid and "Academy's keys" in failed(verdict)["Signature"]


def test_a_revoked_credential_is_rejected(world, certificate, credential):
    learning.certificate_revoke(actor=world.a_admin, certificate=certificate, reason="Fraud")
    verdict = credential_verify(credential.signed)
    assert not verdict.valid
    assert failed(verdict) == {"Status": "It has been revoked."}


def test_an_expired_credential_is_rejected(credential):
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    document = {**credential.document, "validUntil": "2021-01-01T00:00:00Z"}
    expired = sign(document, issued_at=past, key=services.issuer_key_active())
    assert failed(credential_verify(expired)) == {
        "Dates": "It expired on 2021-01-01: it no longer proves the training is current."
    }


def test_a_credential_is_not_valid_before_its_date(credential):
    before = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    assert failed(credential_verify(credential.signed, now=before)) == {
        "Dates": "It is not in force yet."
    }


def test_a_credential_from_another_issuer_signed_with_our_key_is_rejected(credential):
    document = {**credential.document, "issuer": {"id": "did:web:elsewhere.example"}}
    token = sign(document, issued_at=datetime.datetime.now(datetime.UTC), key=credential.key)
    assert "Issuer" in failed(credential_verify(token))


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "Paste a credential"),
        ("not a token", "three parts"),
        ("{not json", "not valid JSON"),
    ],
)
def test_what_is_not_a_credential_says_so(db, text, words):
    verdict = credential_verify(text)
    assert not verdict.valid and words in verdict.problem


def test_the_readable_copy_is_refused_with_a_pointer_to_the_signed_file(credential):
    verdict = credential_verify(json.dumps(credential.document))
    assert not verdict.valid and ".jwt" in verdict.problem
