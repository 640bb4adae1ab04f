"""W3C Bitstring Status List: one bit per credential (1 = revoked), GZIP-compressed and
multibase-encoded (`u` + base64url without padding), inside a BitstringStatusListCredential."""

import base64
import gzip

from django.utils import timezone

from .document import iso
from .identity import CONTEXTS, REVOCATION_LIST, issuer_profile, status_list_url

# The spec's minimum (16 KiB of bits), so a list says little about how many credentials exist.
MIN_BITS = 131_072


def list_size(highest_index: int | None) -> int:
    """Bits needed to hold `highest_index`, at least MIN_BITS, in whole bytes."""
    needed = (highest_index or 0) + 1
    return max(MIN_BITS, (needed + 7) // 8 * 8)


def bitstring(revoked_indexes, *, size: int) -> bytes:
    """The list's bytes: index 0 is the left-most (most significant) bit of the first byte."""
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode(bits: bytes) -> str:
    # mtime=0: the same list always encodes the same way (cacheable, comparable).
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("The status list is not base64url multibase.")
    payload = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    if index < 0 or index // 8 >= len(bits):
        raise IndexError(index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(encoded_list: str) -> dict:
    """The unsigned BitstringStatusListCredential holding `encoded_list`."""
    url = status_list_url()
    return {
        "@context": [CONTEXTS[0]],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile()["id"],
        "validFrom": iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION_LIST,
            "encodedList": encoded_list,
        },
    }
