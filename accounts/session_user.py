"""The signed-in user of a request, read from the shared cache instead of the database.

Every signed-in request needs its user. Django's `AuthenticationMiddleware` reads the row with
the ORM on each one (a query, and its compilation: the largest single cost of a request before
the view). Here the row is kept in the shared cache, fetched in the same round trip as the
acting user's placement (`agencies.access.actor_cache_keys`), and the user is rebuilt from it
without a query.

What stays as it was:

- The session's auth hash is still checked on every request: the cached entry carries the hash
  of the user's current password (`get_session_auth_hash`, an HMAC; every session stores the
  same value, so the cache holds nothing the sessions do not), never the password hash itself.
  A session whose hash differs (the password changed, a secret key rotated) or a user who is
  not active goes through Django's own `auth.get_user`, which signs the session out (or moves it
  to the new secret) exactly as before.
- A change takes effect on the next request: each user's entry is valid only under that user's
  version token, which `user_cache_forget` replaces whenever the row is written (every save and
  delete of a `User`, through accounts/signals.py, and the services that write with `update()`),
  at once and again when the transaction commits. A request that read the old row in between
  stored it under the retired version, so it is never used.
- While the cache is unreachable every request reads the database, as Django does. A change
  made while the cache was unreachable, to a cache that was cut off but not emptied, could be
  missed for at most USER_CACHE_SECONDS (the same bound as the cached placements).
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.crypto import constant_time_compare

from academy.cache import (
    RedisCache,
    get_many_quick,
    per_user_keys,
    prefetch_keep,
    prefetched,
)
from agencies.access import actor_cache_keys, actor_prime

from .models import User

logger = logging.getLogger(__name__)

USER_CACHE_SECONDS = 600

# Every column but the password hash; the key names the columns, so a deploy that adds one
# never reads an entry written by the code before it.
_FIELDS = tuple(f.attname for f in User._meta.concrete_fields if f.attname != "password")
_PREFIX = "academy:user:" + hashlib.blake2b(",".join(_FIELDS).encode(), digest_size=4).hexdigest()


def _version_key(user_id) -> str:
    return f"{_PREFIX}:{user_id}:v"


def _entry_key(user_id) -> str:
    return f"{_PREFIX}:{user_id}"


_model_backend_paths: dict[str, bool] = {}


def _reads_like_model_backend(backend_path: str) -> bool:
    """Whether this backend finds the user as ModelBackend does (by primary key, active users
    only): only then may the cached row stand in for its `get_user`."""
    known = _model_backend_paths.get(backend_path)
    if known is None:
        backend = auth.load_backend(backend_path)
        known = _model_backend_paths[backend_path] = (
            isinstance(backend, ModelBackend)
            and type(backend).get_user is ModelBackend.get_user
            and type(backend).user_can_authenticate is ModelBackend.user_can_authenticate
        )
    return known


def get_user(request):
    """The user of this request's session, or AnonymousUser: what `django.contrib.auth.get_user`
    answers, from the shared cache when it holds the current row."""
    if not settings.ACADEMY_USER_CACHE:
        return auth.get_user(request)
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not _reads_like_model_backend(
        backend_path
    ):
        return auth.get_user(request)
    version_key, entry_key = _version_key(user_id), _entry_key(user_id)
    backend = caches[DEFAULT_CACHE_ALIAS]
    keys = [version_key, entry_key, *actor_cache_keys(user_id)]
    found = prefetched(keys) if isinstance(backend, RedisCache) else None
    if found is None:
        ahead = per_user_keys(user_id) if isinstance(backend, RedisCache) else []
        try:
            found = get_many_quick(backend, keys + ahead)
        except Exception:  # noqa: BLE001 - any cache backend's connection error: ask the database
            logger.warning("Cache unreachable; reading user %s from the database", user_id)
            return auth.get_user(request)
        if ahead:
            prefetch_keep(found, ahead)
    remember_session_user(session.session_key, user_id)
    version = found.get(version_key)
    user = _user_if_current(found.get(entry_key), version, session.get(auth.HASH_SESSION_KEY))
    if user is None:
        # The version is read before the row, so a change committed in between leaves the
        # entry below under a version that is already retired.
        if version is None:
            version = _new_version(version_key)
        user = auth.get_user(request)
        if user.is_authenticated and version is not None:
            _remember(entry_key, version, user)
    if user.is_authenticated:
        actor_prime(user, found)
    return user


# Whose each session is, as last seen by this process: the session's round trip then also
# reads that user's keys (`session_read_ahead`). Only a guess of what to read: the user is
# still the one the session names, checked as above; a wrong or missing guess costs the second
# round trip it always cost.
_SESSION_USERS_MAX = 20_000
_session_users: dict[str, object] = {}


def remember_session_user(session_key, user_id) -> None:
    if session_key is None or _session_users.get(session_key) == user_id:
        return
    if len(_session_users) >= _SESSION_USERS_MAX:
        _session_users.clear()
    _session_users[session_key] = user_id


def session_read_ahead(session_key) -> list[str]:
    """The keys to read with this session's own (those of the user this process last saw
    signed in with it), or none."""
    user_id = _session_users.get(session_key)
    if user_id is None or not settings.ACADEMY_USER_CACHE:
        return []
    return [
        _version_key(user_id),
        _entry_key(user_id),
        *actor_cache_keys(user_id),
        *per_user_keys(user_id),
    ]


def _user_if_current(entry, version, session_hash) -> User | None:
    if entry is None or version is None or entry[0] != version or not session_hash:
        return None
    _version, auth_hash, values = entry
    if not constant_time_compare(session_hash, auth_hash):
        return None  # Django's path decides: sign out, or a rotated secret key's fallback
    user = User.from_db(DEFAULT_DB_ALIAS, _FIELDS, values)  # the password stays deferred
    if not user.is_active:
        return None
    return user


def _new_version(version_key) -> str | None:
    try:
        cache.add(version_key, uuid.uuid4().hex, timeout=USER_CACHE_SECONDS)
        return cache.get(version_key)
    except Exception:  # noqa: BLE001 - nothing is cached while the cache is unreachable
        return None


def _remember(entry_key, version, user) -> None:
    values = tuple(getattr(user, name) for name in _FIELDS)
    try:
        cache.set(
            entry_key, (version, user.get_session_auth_hash(), values), timeout=USER_CACHE_SECONDS
        )
    except Exception:  # noqa: BLE001
        logger.warning("Cache unreachable; user %s not cached", user.pk)


def user_cache_forget(user_ids) -> None:
    """These people's rows changed (or are gone): their next request reads them again. Called
    whenever a `User` is saved or deleted (accounts/signals.py) and by services that write the
    table with `update()`; now, and again once the transaction commits."""
    keys = [_version_key(user_id) for user_id in user_ids]
    if not keys:
        return
    _retire(keys)
    transaction.on_commit(lambda: _retire(keys))


def _retire(keys) -> None:
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=USER_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - a change is not refused because the cache is unreachable
        logger.exception("Cache unreachable; cached users expire on their own")
