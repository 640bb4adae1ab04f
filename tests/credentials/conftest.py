"""Credentials fixtures: a learner of Agency A who completed a course (the credential is signed
when the completing transaction commits), and an independent RS256 check built on
`cryptography` alone (never joserfc, which signs)."""

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.urls import reverse

from learning import services as learning
from tests.builders import build_course, finish_course


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt_parts(token: str) -> tuple[dict, dict]:
    header, payload, _signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def rsa_public_key(jwk: dict) -> rsa.RSAPublicKey:
    numbers = rsa.RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"]), "big"),
        int.from_bytes(b64url_decode(jwk["n"]), "big"),
    )
    return numbers.public_key()


def rs256_holds(token: str, jwk: dict) -> bool:
    """Does the compact JWS verify under this RSA public JWK (PKCS#1 v1.5, SHA-256)?"""
    header, payload, signature = token.split(".")
    try:
        rsa_public_key(jwk).verify(
            b64url_decode(signature),
            f"{header}.{payload}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return False
    return True


def published_jwk(client, kid: str) -> dict:
    """The key the DID document publishes under `kid` (a third party's way to find it)."""
    document = client.get(reverse("credentials:did")).json()
    (method,) = [m for m in document["verificationMethod"] if m["id"] == kid]
    assert kid in document["assertionMethod"]
    return method["publicKeyJwk"]


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def certificate(world, course, django_capture_on_commit_callbacks):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        finish_course(enrollment)
    return enrollment.certificate


@pytest.fixture
def credential(certificate):
    return certificate.credential
