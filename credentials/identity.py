"""Where the issuer and its credentials live on the web: the did:web identifier, the issuer
profile, the keys and the status list, all under the site's public address (ACADEMY_SITE_URL).

These names go into every credential signed, so they must stay stable: a credential names its
status list and its key by these URLs for as long as anyone may verify it.
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]
ISSUER_NAME = "Academy"
REVOCATION_LIST = "revocation"


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    return f"{site_url()}{path}"


def issuer_did() -> str:
    """did:web of the site: `did:web:host` (a port is written `%3A`), resolved by anyone at
    https://host/.well-known/did.json."""
    netloc = urlsplit(site_url()).netloc
    return f"did:web:{quote(netloc, safe='')}"


def key_id(kid: str) -> str:
    """The verification method of a key in the DID document (and the JWT's `kid`)."""
    return f"{issuer_did()}#{kid}"


def issuer_profile_url() -> str:
    return absolute(reverse("credentials:issuer"))


def status_list_url() -> str:
    return absolute(reverse("credentials:status_list", args=[REVOCATION_LIST]))


def issuer_profile() -> dict:
    """The issuer Profile as embedded in each credential (OB 3.0 `Profile`)."""
    return {
        "id": issuer_did(),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": site_url() + "/",
    }
