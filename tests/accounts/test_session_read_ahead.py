"""A signed-in request on Redis reads its session, its user, their placement and the bell's count
in one round trip once the process has seen the session (academy.cache's read-ahead,
accounts/sessions.py, accounts/session_user.py), and every property of the cached user still
holds on that path: the tests of test_session_user.py run again here on a real Redis cache."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings

from academy import cache as academy_cache
from accounts import session_user
from reminders import services as reminders_services
from reminders.services.sending import unread_cache_key
from tests.celery_worker import redis_reachable

# The same properties, on the read-ahead path (imported: pytest runs them again in this module,
# under the autouse Redis fixture below).
from .test_session_user import (  # noqa: F401
    test_a_change_of_the_row_is_seen_on_the_next_request,
    test_a_deleted_user_is_signed_out,
    test_a_password_change_signs_out_the_other_sessions,
    test_a_password_set_by_any_save_signs_out_open_sessions,
    test_a_row_read_before_a_change_is_never_used_after_it,
    test_a_session_without_the_current_hash_is_flushed_as_django_does,
    test_a_signed_in_request_reads_no_user_row_once_cached,
    test_deactivation_takes_effect_on_the_next_request,
    test_the_cache_holds_the_session_auth_hash_never_the_password_hash,
    test_the_cached_user_is_the_database_row,
)

pytestmark = pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")

# Redis db 2, each test under a key prefix of its own (never FLUSHDB: tests run in parallel).
REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture(autouse=True)
def redis_cache():
    prefix = f"t-read-ahead-{uuid.uuid4().hex}"
    config = {
        "default": {
            "BACKEND": "academy.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    session_user._session_users.clear()
    with override_settings(CACHES=config):
        backend = caches["default"]
        assert isinstance(backend, academy_cache.RedisCache)
        try:
            yield backend
        finally:
            client = backend._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
    session_user._session_users.clear()
    academy_cache.prefetch_clear()


class RoundTrips:
    """Counts the Redis round trips of a request: hand-written MGETs and redis-py reads."""

    def __init__(self, monkeypatch, backend):
        self.mgets, self.reads = [], []
        real_mget = academy_cache._mget
        monkeypatch.setattr(
            academy_cache,
            "_mget",
            lambda pool, keys: self.mgets.append(keys) or real_mget(pool, keys),
        )
        for name in ("get", "get_many"):
            real = getattr(backend, name)
            monkeypatch.setattr(
                backend,
                name,
                lambda *args, _real=real, _name=name, **kwargs: (
                    self.reads.append(_name) or _real(*args, **kwargs)
                ),
            )

    def clear(self):
        self.mgets.clear()
        self.reads.clear()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_session_user_placement_and_bell_in_one_round_trip(world, redis_cache, monkeypatch):
    client = signed_in(world.a_learner)
    client.get("/")  # the user is cached; this process now knows whose the session is
    trips = RoundTrips(monkeypatch, redis_cache)
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == world.a_learner.pk
    assert len(trips.mgets) == 1, trips.mgets
    assert trips.reads == []  # neither the user, the placement nor the bell read on their own
    (keys,) = trips.mgets
    assert any(key.endswith(unread_cache_key(world.a_learner.pk)) for key in keys)


def test_the_bell_shows_the_count_of_the_moment(
    world, redis_cache, django_capture_on_commit_callbacks
):
    user = world.a_learner
    client = signed_in(user)
    client.get("/")
    assert b"Notifications (1 unread)" not in client.get("/").content
    with django_capture_on_commit_callbacks(execute=True):
        reminders_services.notification_send(user=user, title="One", body="", url="/", email=False)
    # The count now comes with the session's round trip, and it is the new one.
    assert b"Notifications (1 unread)" in client.get("/").content
    assert b"Notifications (1 unread)" in client.get("/").content
    reminders_services.notification_mark_read(user=user)
    assert b"Notifications (1 unread)" not in client.get("/").content


def test_a_value_written_during_the_request_is_read_again(world, redis_cache):
    key = unread_cache_key(world.a_learner.pk)
    cache.set(key, 5, 60)
    academy_cache.prefetch_keep({key: 5}, [key])
    assert academy_cache.get_prefetched(key) == 5
    reminders_services.notification_mark_read(user=world.a_learner)  # deletes the key
    assert academy_cache.prefetched([key]) is None
    assert reminders_services.unread_count(world.a_learner) == 0  # counted again
    academy_cache.prefetch_keep({}, [key])
    cache.set(key, 3, 60)
    assert academy_cache.get_prefetched(key) == 3


def test_the_read_ahead_lasts_one_request(world, redis_cache):
    client = signed_in(world.a_learner)
    client.get("/")
    client.get("/")
    assert academy_cache.prefetched([unread_cache_key(world.a_learner.pk)]) is None


def test_a_wrong_guess_of_whose_session_it_is_still_gives_the_sessions_user(world, redis_cache):
    client = signed_in(world.a_learner)
    client.get("/")
    session_key = client.cookies["sessionid"].value
    session_user._session_users[session_key] = world.b_learner.pk  # say, a stale entry
    response = client.get("/")
    assert response.wsgi_request.user.pk == world.a_learner.pk
    assert session_user._session_users[session_key] == world.a_learner.pk


def test_another_persons_session_reads_its_own_user(world, redis_cache):
    first, second = signed_in(world.a_learner), signed_in(world.b_learner)
    for _ in range(2):
        assert first.get("/").wsgi_request.user.pk == world.a_learner.pk
        assert second.get("/").wsgi_request.user.pk == world.b_learner.pk


def test_the_catalogs_version_comes_with_the_session_and_follows_a_change(world, redis_cache):
    from courses.catalog_version import catalog_changed, catalog_version, catalog_version_key

    client = signed_in(world.a_learner)
    client.get("/")
    before = catalog_version()
    academy_cache.prefetch_keep({catalog_version_key(): before}, [catalog_version_key()])
    assert catalog_version() == before  # answered by the read-ahead
    catalog_changed()  # a write of the key in this request drops what was read ahead
    after = catalog_version()
    assert after != before and after == cache.get(catalog_version_key())
