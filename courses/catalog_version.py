"""The catalog's version: a token in the shared cache that the services writing what the
catalog lists (courses, their published versions and topics, visibility and sharing, learning
paths) replace, so every process renders its cached catalog pages again.

The catalog's page for one audience (courses.fragments.catalog_page) is cached in each process
under this token: a service that changes what it shows calls `catalog_changed()` (now, and
again once its transaction commits, so a request that read the old rows in between cannot keep
them under the new token). The token also expires after CATALOG_VERSION_SECONDS, which bounds
what a change made behind the services' back (a shell, a data migration) or lost while the
cache was unreachable could cost. When the cache cannot be read, the page is built from the
database as if nothing were cached.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction

from academy.cache import get_prefetched

logger = logging.getLogger(__name__)

CATALOG_VERSION_SECONDS = 300
_KEY = "academy:catalog:version"


def catalog_version() -> str | None:
    """The current token (a new one when none is set); None when the cache is unreachable."""
    try:
        token = get_prefetched(_KEY)  # read with the signed-in user's session (courses.apps)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(_KEY, token, CATALOG_VERSION_SECONDS):
                token = cache.get(_KEY)
    except Exception:  # noqa: BLE001 - an unreachable cache (Redis restarting): no caching
        logger.warning("Cache unreachable; the catalog is read from the database")
        return None
    return token


def catalog_version_key(_user_id=None) -> str:
    """The token's key in the shared cache (read ahead with every signed-in user's session)."""
    return _KEY


def catalog_changed() -> None:
    """What the catalog lists changed: every process renders it again. Call from the service
    that made the change, inside its transaction (or outside any)."""
    _replace()
    transaction.on_commit(_replace)


def _replace() -> None:
    try:
        cache.set(_KEY, uuid.uuid4().hex, CATALOG_VERSION_SECONDS)
    except Exception:  # noqa: BLE001 - a change is not refused because the cache is down
        logger.exception("Cache unreachable; the catalog's cached pages expire on their own")
