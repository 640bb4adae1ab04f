"""The Redis cache backend keeps one client per connection pool (academy/cache.py)."""

import os
import socket
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import override_settings

from academy.cache import RedisCache


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


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


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
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
