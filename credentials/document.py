"""The OpenBadgeCredential of a certificate (Open Badges 3.0 on the W3C VC Data Model 2.0), and
its VC-JWT: the JWT's payload is the credential itself, with the registered claims that mirror
it (`iss`, `jti`, `nbf`, `exp`)."""

import datetime
import hashlib
import secrets
import uuid

from django.urls import reverse
from joserfc import jwt

from .identity import CONTEXTS, REVOCATION_LIST, absolute, issuer_profile, key_id, status_list_url
from .keys import ALGORITHM, signing_key

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def credential_id(code: str) -> str:
    """A stable id per certificate: the same certificate always names the same credential."""
    verify_url = absolute(reverse("learning:verify", args=[code]))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, verify_url)}"


def hashed_email(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject hash: `sha256$` + hex SHA-256 of the address followed by the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def learner_identifiers(*, name: str, email: str) -> list[dict]:
    """Who the credential is about, as the spec allows without a DID of their own: the name
    (as printed on the certificate) and the email address, salted and hashed, so a verifier who
    knows the address can match it and nobody else can read it."""
    salt = secrets.token_hex(8)
    return [
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name},
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": hashed_email(email, salt),
            "salt": salt,
        },
    ]


def achievement(*, slug: str, title: str, summary: str, agency_name: str) -> dict:
    """The course as an OB 3.0 Achievement: what it is and what earning it took."""
    return {
        "id": absolute(reverse("learning:course", args=[slug])),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": summary or title,
        "criteria": {
            "narrative": (
                f"Completed every lesson and passed every quiz of the course “{title}” on "
                f"Academy, as a member of {agency_name}."
            )
        },
        "creator": issuer_profile(),
    }


def result_description_id(slug: str) -> str:
    return absolute(reverse("learning:course", args=[slug])) + "#final-score"


def with_result(subject: dict, *, slug: str, score: int) -> dict:
    """The subject with its result (OB 3.0 `Result`), described on the achievement by a
    `ResultDescription` of type Percent, 0 to 100: the final score, the mean of the best
    passing score of each quiz."""
    description = {
        "id": result_description_id(slug),
        "type": ["ResultDescription"],
        "name": "Final score",
        "resultType": "Percent",
        "valueMin": "0",
        "valueMax": "100",
    }
    subject["achievement"]["resultDescription"] = [description]
    subject["result"] = [
        {"type": ["Result"], "resultDescription": description["id"], "value": str(score)}
    ]
    return subject


def build_credential(
    *, certificate, enrollment, course, email: str, status_index: int, score: int | None = None
) -> dict:
    """The unsigned OpenBadgeCredential of `certificate` (with its result when `score` is
    given: the agency chose to include it)."""
    subject = {
        "type": ["AchievementSubject"],
        "identifier": learner_identifiers(name=certificate.learner_name, email=email),
        "achievement": achievement(
            slug=course.slug,
            title=certificate.course_title,
            summary=course.summary,
            agency_name=certificate.agency_name,
        ),
    }
    if score is not None:
        with_result(subject, slug=course.slug, score=score)
    return {
        "@context": list(CONTEXTS),
        "id": credential_id(certificate.code),
        "type": list(CREDENTIAL_TYPES),
        "issuer": issuer_profile(),
        "validFrom": iso(certificate.issued_at),
        # The certificate's own expiry, fixed at issue (never moved by a republish).
        **({"validUntil": iso(certificate.expires_at)} if certificate.expires_at else {}),
        "name": certificate.course_title,
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list_url()}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": REVOCATION_LIST,
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(),
        },
    }


def issuer_id(document: dict) -> str:
    issuer = document.get("issuer")
    return issuer.get("id", "") if isinstance(issuer, dict) else str(issuer or "")


def jwt_claims(document: dict, *, issued_at) -> dict:
    """The document plus the registered claims that mirror it (VC-JWT)."""
    claims = {
        **document,
        "iss": issuer_id(document),
        "jti": document["id"],
        "nbf": int(issued_at.timestamp()),
    }
    if document.get("validUntil"):
        claims["exp"] = int(datetime.datetime.fromisoformat(document["validUntil"]).timestamp())
    return claims


def sign(document: dict, *, issued_at, key) -> str:
    """The compact VC-JWT of `document`, signed RS256 by the IssuerKey `key`."""
    # `kid` only, no `jwk`: a verifier must take the key from the issuer's published keys
    # (trusting a key the token carries proves nothing), and a 2048-bit JWK would push the
    # header past the 512 bytes some JOSE libraries accept.
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id(key.kid)}
    return jwt.encode(
        header, jwt_claims(document, issued_at=issued_at), signing_key(key.private_jwk)
    )
