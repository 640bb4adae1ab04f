"""Liveness of the pieces Academy needs: database, broker, and a worker recently seen.

Anyone may ask whether Academy is up; only a platform admin or a monitor holding the token in
ACADEMY_HEALTH_TOKEN sees the details (database vendor, broker transport, worker heartbeat), which
would otherwise tell an attacker what runs behind the site.
"""

import hmac
import threading
import time

from django.conf import settings
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


_broker_lock = threading.Lock()
_broker_checked: dict = {"at": None, "status": None}


def broker_status():
    """The broker's status, checked at most once per ACADEMY_HEALTH_BROKER_SECONDS per process:
    a monitor (or anyone) calling /healthz in a loop must not open a connection per request."""
    interval = getattr(settings, "ACADEMY_HEALTH_BROKER_SECONDS", 10)
    with _broker_lock:
        at = _broker_checked["at"]
        if at is None or time.monotonic() - at >= interval:
            _broker_checked.update(status=_broker_connect(), at=time.monotonic())
        return _broker_checked["status"]


def forget_broker_status():
    _broker_checked.update(at=None, status=None)


def _broker_connect():
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        return {"ok": True, "transport": str(transport)}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": error.__class__.__name__}


def may_see_details(request) -> bool:
    token = getattr(settings, "ACADEMY_HEALTH_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_platform_admin)


def public_report(report: dict) -> dict:
    return {"status": report["status"]}


def health_report():
    checks = {"database": database_status(), "broker": broker_status()}
    return {
        "status": "ok" if all(c["ok"] for c in checks.values()) else "error",
        **checks,
        "worker_heartbeat": cache.get(HEARTBEAT_CACHE_KEY),
    }
