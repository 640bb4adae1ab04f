"""Sessions read from the shared cache and written through to the database, which still serve
every request while the cache is unreachable (a Redis restart): reads fall back to the database
and failed cache writes are logged, never raised.

Django's own cached_db store already survives a failed cache read and save, but not the cache
write after a database read, nor `exists` and `delete`.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDbStore):
    def load(self):
        try:
            return super().load()
        except Exception:  # noqa: BLE001 - any cache backend's connection error
            logger.warning("Session cache unreachable; reading the session from the database")
            session = self._get_session_from_db()
            return self.decode(session.session_data) if session else {}

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # noqa: BLE001
            return super(CachedDbStore, self).exists(session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:  # noqa: BLE001
            # The row is gone (deleted first); a cached copy left behind by a cache that was
            # unreachable but not emptied would outlive it until its own expiry.
            logger.exception("Error deleting a session from the cache")
