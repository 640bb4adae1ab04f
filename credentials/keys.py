"""Issuer keys: RSA 2048 for VC-JWT RS256 (see docs/credentials.md for why), and their
published forms (JWKS, DID document)."""

from joserfc.jwk import RSAKey

from .identity import issuer_did, key_id

KEY_SIZE = 2048
ALGORITHM = "RS256"


def new_key_pair() -> tuple[str, dict, dict]:
    """(thumbprint, private JWK, public JWK) of a freshly generated RSA key."""
    key = RSAKey.generate_key(KEY_SIZE)
    return key.thumbprint(), key.as_dict(private=True), key.as_dict(private=False)


def signing_key(private_jwk: dict) -> RSAKey:
    return RSAKey.import_key(private_jwk)


def public_key(public_jwk: dict) -> RSAKey:
    return RSAKey.import_key(public_jwk)


def published_jwk(kid: str, public_jwk: dict) -> dict:
    """The public half as published: its id, algorithm and use alongside the key numbers."""
    return {**public_jwk, "kid": key_id(kid), "alg": ALGORITHM, "use": "sig"}


def jwks(keys) -> dict:
    """JWK Set of every key, active and retired (IssuerKey rows)."""
    return {"keys": [published_jwk(key.kid, key.public_jwk) for key in keys]}


def did_document(keys) -> dict:
    """The did:web DID document: every key as a JsonWebKey verification method, each allowed
    to assert credentials."""
    did = issuer_did()
    methods = [
        {
            "id": key_id(key.kid),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": {**key.public_jwk, "alg": ALGORITHM},
        }
        for key in keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
