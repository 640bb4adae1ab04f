"""The revocation list is a signed BitstringStatusListCredential at a stable URL; a revoked
certificate's bit is on, the others off."""

import pytest
from django.urls import reverse

from credentials.status_list import MIN_BITS, bit_is_set, bitstring, decode, encode
from learning import services as learning

from .conftest import jwt_parts, published_jwk, rs256_holds

pytestmark = pytest.mark.django_db


def test_bits_are_numbered_from_the_left_of_the_first_byte():
    bits = bitstring([0, 9], size=16)
    assert bits == bytes([0b1000_0000, 0b0100_0000])
    assert decode(encode(bits)) == bits
    assert bit_is_set(bits, 9) and not bit_is_set(bits, 8)


def served_list(client) -> tuple[str, dict]:
    response = client.get(reverse("credentials:status_list", args=["revocation"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Access-Control-Allow-Origin"] == "*"
    token = response.content.decode()
    return token, jwt_parts(token)[1]


def test_the_status_list_is_signed_and_marks_only_revoked_credentials(world, client, certificate):
    index = certificate.credential.status_index
    token, claims = served_list(client)
    assert rs256_holds(token, published_jwk(client, jwt_parts(token)[0]["kid"]))
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = decode(claims["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == MIN_BITS and not any(bits)

    learning.certificate_revoke(actor=world.a_admin, certificate=certificate, reason="Fraud")
    _token, claims = served_list(client)
    bits = decode(claims["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, index) and sum(bin(b).count("1") for b in bits) == 1


def test_only_the_revocation_list_exists(client, db):
    assert client.get(reverse("credentials:status_list", args=["suspension"])).status_code == 404


def test_did_document_and_jwks_are_public_json(client, credential):
    did = client.get(reverse("credentials:did"))
    assert did["Content-Type"] == "application/did+json"
    assert did.json()["id"].startswith("did:web:")
    keys = client.get(reverse("credentials:jwks")).json()["keys"]
    assert [key["alg"] for key in keys] == ["RS256"] and "d" not in keys[0]
    assert "d" not in did.json()["verificationMethod"][0]["publicKeyJwk"]
    profile = client.get(reverse("credentials:issuer")).json()
    assert profile["type"] == ["Profile"] and profile["id"] == did.json()["id"]
