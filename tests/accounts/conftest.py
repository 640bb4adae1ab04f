import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; start and end each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def user_from_the_cache(settings):
    """The accounts tests run with the signed-in user read from the shared cache, as production
    does (accounts/session_user.py; off by default in the other apps' tests, whose exact query
    counts include the user's query)."""
    settings.ACADEMY_USER_CACHE = True
