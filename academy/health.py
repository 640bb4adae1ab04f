"""Liveness of the pieces Academy needs: database, broker, and a worker recently seen."""

from django.core.cache import cache
from django.db import connection

from .celery import app
from .tasks import HEARTBEAT_CACHE_KEY


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported as text
        return {"ok": False, "error": error.__class__.__name__}


def broker_status():
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        return {"ok": True, "transport": str(transport)}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": error.__class__.__name__}


def health_report():
    checks = {"database": database_status(), "broker": broker_status()}
    return {
        "status": "ok" if all(c["ok"] for c in checks.values()) else "error",
        **checks,
        "worker_heartbeat": cache.get(HEARTBEAT_CACHE_KEY),
    }
