from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "academy:worker-heartbeat"


@shared_task
def heartbeat_task():
    """Run by beat every minute; /healthz reports how long ago a worker last ran it."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=None)


@shared_task
def ping_task(token):
    """A round trip for health checks and integration tests."""
    return f"pong:{token}"
