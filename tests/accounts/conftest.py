import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; start and end each test clean."""
    cache.clear()
    yield
    cache.clear()
