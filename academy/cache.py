"""Django's Redis cache backend, keeping one `redis.Redis` client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
redis-py fills a table of about 170 response callbacks in each one's constructor: about 0.2 ms of
CPU per call, several calls per request (the session, the acting user's placement, the bell).
A client is thread-safe and holds no connection of its own (the pool does), so one per pool is
enough. Settings point `CACHE_URL=redis://…` at this class (academy/settings.py).
"""

import os
import pickle
import threading
from collections.abc import Callable

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends import redis as django_redis
from django.core.signals import request_finished, request_started


class ReusedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache, one client per pool; every write through it also drops this
    thread's prefetched copy of the keys it writes (`prefetched`), so a request that changes a
    value it had read ahead (the bell's count, a user's version) reads it again."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def add(self, key, *args, **kwargs):
        prefetch_forget([key])
        return super().add(key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        prefetch_forget([key])
        return super().set(key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        prefetch_forget([key])
        return super().touch(key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        prefetch_forget([key])
        return super().delete(key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        prefetch_forget([key])
        return super().incr(key, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        prefetch_forget(list(data))
        return super().set_many(data, *args, **kwargs)

    def delete_many(self, keys, *args, **kwargs):
        keys = list(keys)
        prefetch_forget(keys)
        return super().delete_many(keys, *args, **kwargs)

    def clear(self):
        prefetch_clear()
        return super().clear()


class _QuickConnection(threading.local):
    """This thread's own connection for `get_many_quick`, made by the cache's pool (so with its
    address, password, database and timeouts) but never returned to it."""

    pid = None
    pool = None
    connection = None
    reader = None

    def open(self, pool):
        self.close()
        connection = pool.make_connection()
        connection.connect()
        self.connection, self.reader = connection, connection._sock.makefile("rb")
        self.pool, self.pid = pool, os.getpid()

    def close(self):
        connection, self.connection, self.reader, self.pool = self.connection, None, None, None
        if connection is not None and self.pid == os.getpid():
            connection.disconnect()  # never a forked parent's socket: that one is only dropped


_quick = _QuickConnection()


def _mget(pool, keys: list[str]) -> list[bytes | None]:
    quick = _quick
    if quick.pool is not pool or quick.pid != os.getpid():
        quick.open(pool)
    command = [b"*%d\r\n$4\r\nMGET\r\n" % (len(keys) + 1)]
    for key in keys:
        encoded = key.encode()
        command.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    quick.connection._sock.sendall(b"".join(command))
    reader = quick.reader
    header = reader.readline()
    if header[:1] != b"*" or int(header[1:]) != len(keys):
        raise ConnectionError(f"unexpected reply to MGET: {header[:80]!r}")
    values = []
    for _ in keys:
        line = reader.readline()
        if line[:1] == b"$":
            size = int(line[1:])
            if size < 0:
                values.append(None)
                continue
            value = reader.read(size + 2)
            if len(value) != size + 2:
                raise ConnectionError("connection closed in a reply")
            values.append(value[:-2])
        elif line[:1] == b"_":  # RESP3's null
            values.append(None)
        else:
            raise ConnectionError(f"unexpected reply to MGET: {line[:80]!r}")
    return values


def get_many_quick(backend, keys) -> dict:
    """`backend.get_many(keys)`; for a Redis cache of this module, one MGET written by hand on
    a connection of this thread's own and its reply read back: about a quarter of the CPU of
    `get_many`, which goes through redis-py's pool, command dispatch, retry wrapper and reply
    parser, and Django's per-key validation. The path of every signed-in request reads the
    session (accounts/sessions.py) and the user (accounts/session_user.py) this way.

    Any other backend, and any error on the quick path (Redis restarted or unreachable, a
    reply not understood), goes through `backend.get_many` itself, which retries and raises as
    it always does; the connection is closed and made again on the next call.
    """
    if not isinstance(backend, RedisCache) or not keys:
        return backend.get_many(keys)
    client = backend._cache
    try:
        values = _mget(client._get_connection_pool(False), [backend.make_key(k) for k in keys])
    except Exception:  # noqa: BLE001 - the ordinary path decides: it retries, or raises
        _quick.close()
        return backend.get_many(keys)
    loads = client._serializer.loads
    if type(client._serializer) is django_redis.RedisSerializer:
        loads = _loads  # the same answers, without trying int() on a pickle first
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


def _loads(value: bytes):
    # RedisSerializer stores an int as its digits and anything else as a pickle, whose
    # protocol (2 and up) opens with the PROTO opcode.
    return pickle.loads(value) if value[:1] == b"\x80" else int(value)


# Read-ahead for the request. A signed-in request reads, besides its session, a few keys that
# depend only on who the user is (the user's row and version, their placement, the bell's
# count). They are asked for in the round trip that reads the session when this process already
# knows whose the session is, else in the one that reads the user (accounts/sessions.py,
# accounts/session_user.py); what that round trip found is kept here, for this thread and this
# request only, and answered by `prefetched`. Cleared when a request starts and ends, and any
# write of a key through this module's RedisCache drops it, so a value is never older than a
# read of it at the start of the request would be.


class _Prefetch(threading.local):
    values: dict | None = None


_prefetch = _Prefetch()

# Apps add the per-user keys their pages read on every request (AppConfig.ready):
# a function of the user's id returning one key of the default cache.
_per_user_keys: list[Callable[[object], str]] = []


def prefetch_per_user(key_for: Callable[[object], str]) -> None:
    """Read `key_for(user_id)` in the same round trip as the signed-in user's own keys."""
    if key_for not in _per_user_keys:
        _per_user_keys.append(key_for)


def per_user_keys(user_id) -> list[str]:
    return [key_for(user_id) for key_for in _per_user_keys]


def prefetch_keep(found: dict, keys) -> None:
    """Keep what one round trip found for `keys` (absent from `found`: no value) for the rest
    of this request."""
    values = _prefetch.values
    if values is None:
        values = _prefetch.values = {}
    for key in keys:
        values[key] = found.get(key)


def prefetched(keys) -> dict | None:
    """{key: value} for the keys read ahead in this request that have a value (as `get_many`
    answers), or None if any of them was not read ahead."""
    values = _prefetch.values
    if not values:
        return None
    found = {}
    for key in keys:
        try:
            value = values[key]
        except KeyError:
            return None
        if value is not None:
            found[key] = value
    return found


def get_prefetched(key, default=None):
    """The default cache's `get(key, default)`, answered from this request's read-ahead when it
    holds the key (only for this module's RedisCache, whose writes keep the read-ahead current)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        found = prefetched([key])
        if found is not None:
            return found.get(key, default)
    return backend.get(key, default)


def prefetch_forget(keys) -> None:
    values = _prefetch.values
    if values:
        for key in keys:
            values.pop(key, None)


def prefetch_clear(**_kwargs) -> None:
    _prefetch.values = None


request_started.connect(prefetch_clear, dispatch_uid="academy-prefetch-clear-start")
request_finished.connect(prefetch_clear, dispatch_uid="academy-prefetch-clear-finish")
