"""Sessions read from the shared cache and written through to the database, which still serve
every request while the cache is unreachable (a Redis restart): reads fall back to the database
and failed cache writes are logged, never raised.

Django's own cached_db store already survives a failed cache read and save, but not the cache
write after a database read, nor `exists` and `delete`.

The cache read of `load` (every request with a session cookie) goes through
`academy.cache.get_many_quick`: on Redis, a third of the CPU of the ordinary `get`. When this
process has seen the session signed in before, the same round trip reads that user's keys
(`accounts.session_user.session_read_ahead`): one Redis round trip for the session, the user,
their placement and the bell's count instead of three.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from academy.cache import RedisCache, get_many_quick, prefetch_keep

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDbStore):
    def load(self):
        key = self.cache_key
        ahead = []
        if isinstance(self._cache, RedisCache) and self._cache is caches[DEFAULT_CACHE_ALIAS]:
            from .session_user import session_read_ahead  # it imports the models

            ahead = session_read_ahead(self.session_key)
        try:
            found = get_many_quick(self._cache, [key, *ahead])
            data = found.get(key)
        except Exception:  # noqa: BLE001 - any cache backend's connection error
            logger.warning("Session cache unreachable; reading the session from the database")
            session = self._get_session_from_db()
            return self.decode(session.session_data) if session else {}
        if ahead:  # the user's keys, read in this round trip (accounts/session_user.py)
            prefetch_keep(found, ahead)
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:  # noqa: BLE001
            logger.exception("Error saving a session to the cache")
        return data

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
