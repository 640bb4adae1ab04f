"""Django's Redis cache backend, keeping one `redis.Redis` client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
redis-py fills a table of about 170 response callbacks in each one's constructor: about 0.2 ms of
CPU per call, several calls per request (the session, the acting user's placement, the bell).
A client is thread-safe and holds no connection of its own (the pool does), so one per pool is
enough. Settings point `CACHE_URL=redis://…` at this class (academy/settings.py).
"""

from django.core.cache.backends import redis as django_redis


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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def get_many_quick(backend, keys) -> dict:
    """`backend.get_many(keys)`, for a Redis cache of this module read straight from a pooled
    connection: one MGET written to the socket and its reply read back, without the redis-py
    client's command dispatch and retry wrapper nor Django's per-key validation (about a third of
    the CPU of `get_many`; the path of every signed-in request reads the session and the user).

    Any other backend, and any error on the quick path (a connection that Redis closed, a
    restart), goes through `backend.get_many` itself, which retries and raises as it always does.
    """
    if not isinstance(backend, RedisCache) or not keys:
        return backend.get_many(keys)
    client = backend._cache
    made = [backend.make_key(key) for key in keys]
    pool = client._get_connection_pool(False)
    connection = pool.get_connection()
    try:
        connection.send_packed_command(connection.pack_command("MGET", *made), check_health=False)
        values = connection.read_response()
    except Exception:  # noqa: BLE001 - the ordinary path decides: it retries, or raises
        connection.disconnect()
        values = None
    pool.release(connection)
    if values is None:
        return backend.get_many(keys)
    loads = client._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values) if value is not None}
