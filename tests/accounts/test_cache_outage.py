"""Signed-in pages keep working while the shared cache (Redis) is unreachable: sessions and the
acting user's placement come from the database."""

import pytest
from django.core.cache.backends.base import BaseCache
from django.test import override_settings

from agencies import services
from agencies.models import Role

pytestmark = pytest.mark.django_db


class UnreachableCache(BaseCache):
    """Every operation fails, as a Redis client does while the server restarts."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("cache unreachable")

    add = get = set = touch = delete = clear = has_key = _down
    get_many = set_many = delete_many = _down


DOWN = {
    "default": {"BACKEND": "tests.accounts.test_cache_outage.UnreachableCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}


def test_signed_in_pages_answer_while_the_cache_is_down(world, client_for):
    client = client_for(world.a_manager)
    assert client.get("/agency/members/").status_code == 200
    with override_settings(CACHES=DOWN):  # Django's test signals rebuild the cache handlers
        assert client.get("/").status_code == 200
        assert client.get("/agency/members/").status_code == 200
        services.membership_update(
            actor=world.a_admin,
            membership=world.a_manager.membership,
            role=Role.LEARNER,
            unit=world.digital,
        )
        assert client.get("/agency/members/").status_code in (302, 403, 404)
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").context["user"].is_authenticated is False
