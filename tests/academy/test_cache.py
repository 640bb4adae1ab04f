"""The Redis cache backend keeps one client per connection pool (academy/cache.py)."""

import os
import subprocess
import sys
from unittest.mock import patch

import pytest
from django.core.cache import caches
from django.test import override_settings

from academy import cache as academy_cache
from academy.cache import RedisCache, get_many_quick
from tests.celery_worker import redis_reachable


def test_a_redis_cache_url_selects_the_backend_that_reuses_clients():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "ACADEMY_EMBEDDED": "1",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "academy.cache.RedisCache"


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_one_client_per_pool_and_the_cache_still_works():
    config = {
        "default": {"BACKEND": "academy.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"},
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    with override_settings(CACHES=config):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client(write=True) is client
        assert cache._cache.get_client() is client  # one server: reads use the same pool
        cache.set("academy-cache-test", {"a": 1}, 30)
        assert cache.get("academy-cache-test") == {"a": 1}
        assert cache.get_many(["academy-cache-test", "missing"]) == {"academy-cache-test": {"a": 1}}
        cache.delete("academy-cache-test")
        assert cache.get("academy-cache-test") is None


QUICK = {
    "default": {
        "BACKEND": "academy.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/6",
        "KEY_PREFIX": "quick-test",
    },
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_get_many_quick_answers_what_get_many_answers():
    with override_settings(CACHES=QUICK):
        cache = caches["default"]
        cache.set_many({"quick-a": {"a": [1, "é"]}, "quick-n": 7, "quick-t": (1, None)}, 30)
        keys = ["quick-a", "quick-missing", "quick-n", "quick-t"]
        try:
            assert get_many_quick(cache, keys) == cache.get_many(keys)
            assert get_many_quick(cache, keys) == {
                "quick-a": {"a": [1, "é"]},
                "quick-n": 7,
                "quick-t": (1, None),
            }
            assert get_many_quick(cache, []) == {}
        finally:
            cache.delete_many(keys)


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_get_many_quick_falls_back_to_get_many_when_redis_closed_its_connection():
    with override_settings(CACHES=QUICK):
        cache = caches["default"]
        cache.set("quick-b", "value", 30)
        try:
            assert get_many_quick(cache, ["quick-b"]) == {"quick-b": "value"}
            connection = academy_cache._quick.connection
            connection.send_command("CLIENT", "ID")
            client_id = connection.read_response()
            assert cache._cache.get_client().client_kill_filter(_id=client_id) == 1
            calls = []
            real = cache.get_many
            with patch.object(cache, "get_many", lambda keys: calls.append(keys) or real(keys)):
                assert get_many_quick(cache, ["quick-b"]) == {"quick-b": "value"}
                assert calls == [["quick-b"]]  # the ordinary path answered
                assert get_many_quick(cache, ["quick-b"]) == {"quick-b": "value"}
                assert calls == [["quick-b"]]  # a new connection of its own
            assert academy_cache._quick.connection is not connection
        finally:
            cache.delete("quick-b")


def test_get_many_quick_is_get_many_on_other_backends():
    cache = caches["default"]  # the tests' local-memory cache
    cache.set("quick-c", [1], 30)
    assert get_many_quick(cache, ["quick-c", "quick-none"]) == {"quick-c": [1]}
