"""Checking a credential someone pasted or uploaded: is it a VC-JWT signed by one of Academy's
published keys, issued by Academy, in force, and not revoked? Each check gives a sentence a
person can read; the credential is valid only when every check passes."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from joserfc import jws
from joserfc.errors import JoseError

from .document import CREDENTIAL_TYPES, issuer_id
from .identity import CONTEXTS, issuer_did, status_list_url
from .keys import ALGORITHM, public_key
from .selectors import published_key, revocation_bits
from .status_list import bit_is_set

ENVELOPE_PREFIX = "data:application/vc+jwt,"
MAX_LENGTH = 200_000


@dataclass
class Check:
    label: str
    passed: bool
    detail: str = ""


@dataclass
class Verdict:
    """The outcome: `valid` only when every check passed; `credential` is the signed payload
    once the signature held (for showing who and what)."""

    checks: list[Check] = field(default_factory=list)
    credential: dict | None = None
    problem: str = ""  # the input could not be read as a credential at all

    @property
    def summary(self) -> dict:
        """Whom and what the signed credential is about: {name, course, issued} (or {})."""
        if not self.credential:
            return {}
        subject = self.credential.get("credentialSubject") or {}
        names = [
            entry.get("identityHash")
            for entry in subject.get("identifier", [])
            if isinstance(entry, dict) and entry.get("identityType") == "name"
        ]
        return {
            "name": names[0] if names else "",
            "course": (subject.get("achievement") or {}).get("name", ""),
            "issued": _moment(self.credential.get("validFrom")),
        }

    @property
    def valid(self) -> bool:
        return not self.problem and bool(self.checks) and all(c.passed for c in self.checks)


def compact_jwt(text: str) -> str:
    """The compact JWT inside what was pasted: the token itself, or a VC 2.0 enveloped
    credential whose id is `data:application/vc+jwt,<token>`. ValueError with a sentence."""
    text = (text or "").strip()
    if not text:
        raise ValueError(_("Paste a credential or choose a file."))
    if len(text) > MAX_LENGTH:
        raise ValueError(_("This is too long to be an Academy credential."))
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError(_("This is not a credential: it is not valid JSON.")) from None
        envelope = str(data.get("id", "")) if isinstance(data, dict) else ""
        if envelope.startswith(ENVELOPE_PREFIX):
            return envelope.removeprefix(ENVELOPE_PREFIX)
        raise ValueError(
            _(
                "This is the readable copy of a credential, which carries no signature. "
                "Paste the signed credential (the .jwt file) instead."
            )
        )
    if text.count(".") != 2:
        raise ValueError(_("This is not a signed credential (a JWT has three parts)."))
    return text


def _signature(token: str) -> tuple[Check, dict | None]:
    label = _("Signature")
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError):
        return Check(label, False, _("The credential cannot be read.")), None
    kid = str(header.get("kid", ""))
    prefix = issuer_did() + "#"
    key = published_key(kid.removeprefix(prefix)) if kid.startswith(prefix) else None
    if header.get("alg") != ALGORITHM or key is None:
        return Check(label, False, _("It was not signed with one of Academy's keys.")), None
    try:
        signed = jws.deserialize_compact(token, public_key(key.public_jwk), algorithms=[ALGORITHM])
        payload = json.loads(signed.payload)
    except (JoseError, ValueError):
        return (
            Check(
                label,
                False,
                _(
                    "The signature does not match Academy's key: the credential was changed, or someone else signed it."
                ),
            ),
            None,
        )
    return Check(label, True, _("Signed with Academy's published key.")), payload


def _issuer(payload: dict) -> Check:
    label = _("Issuer")
    ours = issuer_did()
    well_formed = (
        payload.get("@context", [])[:2] == CONTEXTS
        and set(CREDENTIAL_TYPES) <= set(payload.get("type", []))
        and issuer_id(payload) == ours
        and payload.get("iss") == ours
    )
    if not well_formed:
        return Check(label, False, _("It is not an Open Badges credential issued by Academy."))
    return Check(label, True, _("Issued by Academy (%(issuer)s).") % {"issuer": ours})


def _moment(value) -> datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _dates(payload: dict, now: datetime) -> Check:
    label = _("Dates")
    valid_from, valid_until = _moment(payload.get("validFrom")), _moment(payload.get("validUntil"))
    if valid_from is None or valid_from > now:
        return Check(label, False, _("It is not in force yet."))
    if valid_until is not None and valid_until <= now:
        return Check(
            label,
            False,
            _("It expired on %(date)s: it no longer proves the training is current.")
            % {"date": valid_until.date()},
        )
    if valid_until is None:
        return Check(label, True, _("In force, with no expiry date."))
    return Check(label, True, _("In force until %(date)s.") % {"date": valid_until.date()})


def _status(payload: dict) -> Check:
    label = _("Status")
    entry = payload.get("credentialStatus") or {}
    try:
        index = int(entry.get("statusListIndex"))
        if entry.get("statusListCredential") != status_list_url():
            raise ValueError
        revoked = bit_is_set(revocation_bits(), index)
    except (TypeError, ValueError, IndexError):
        return Check(label, False, _("Its revocation status cannot be checked."))
    if revoked:
        return Check(label, False, _("It has been revoked."))
    return Check(label, True, _("Not revoked."))


def credential_verify(text: str, *, now: datetime | None = None) -> Verdict:
    """Verify a pasted credential (see the module's docstring)."""
    try:
        token = compact_jwt(text)
    except ValueError as error:
        return Verdict(problem=str(error.args[0]))
    signature, payload = _signature(token)
    if payload is None:
        return Verdict(checks=[signature])
    now = now or datetime.now(UTC)
    checks = [signature, _issuer(payload), _dates(payload, now), _status(payload)]
    return Verdict(checks=checks, credential=payload)
