"""A sync feed's next page, read ahead while the client reads the last one.

An integrator pages through a feed one request after another: while it reads and parses a
page (a few tens of milliseconds for 5,000 rows), the server has nothing to do, and while the
server reads the next page from PostgreSQL and writes it, the client waits. So once a page is
served, the page after it is read in a thread of the web process and kept, written, in the
shared cache for API_SYNC_READ_AHEAD_SECONDS; the request for it (on any worker) takes it from
there, or waits for it while it is being read, instead of reading it a second time
(docs/performance.md, "Third pass").

What a client gets is unchanged: the page read ahead is the one its request would have read a
few moments earlier, under the same client, path, query parameters (the cursor included) and
rendering, and the request itself is authenticated, scope-checked and rate-limited as any other.
A row that changes after its page was read ahead comes again later in the feed, with its new
`updated_at`, as it would had the request come earlier. A client revoked meanwhile gets 401.
"""

import hashlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_PREFIX = "api:read-ahead:"
# How long a request waits for a page another thread is still reading, at most; past it, the
# request reads the page itself.
WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.002

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def enabled() -> bool:
    return settings.API_SYNC_READ_AHEAD_SECONDS > 0


def page_key(request) -> str:
    """The cache key of the page a request asks for: its client, path, every query parameter,
    how it is rendered and in which language."""
    params = sorted(request.query_params.lists())
    language = getattr(request, "LANGUAGE_CODE", None)
    raw = repr((request.api_client.pk, request.path, request.accepted_media_type, language, params))
    return _PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def take(key: str):
    """What `schedule` stored under `key`, once, waiting while it is still being read; None
    when nothing was read ahead for this request (or the reading failed)."""
    pending = key + ":pending"
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while True:
            found = cache.get_many([key, pending])
            if key in found:
                cache.delete(key)
                return found[key]
            if pending not in found or time.monotonic() >= deadline:
                return None
            time.sleep(_POLL_SECONDS)
    except Exception:  # the cache unreachable: the request reads its page itself
        logger.warning("The read-ahead cache is unreachable", exc_info=True)
        return None


def schedule(key: str, read) -> None:
    """Run `read()` in the background and keep its result under `key`, unless it is already
    being read."""
    try:
        if not cache.add(key + ":pending", True, timeout=WAIT_SECONDS):
            return
    except Exception:  # the cache unreachable: nothing is read ahead
        logger.warning("The read-ahead cache is unreachable", exc_info=True)
        return
    _submit(_read_and_store, key, read)


def _submit(function, *args) -> None:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One thread a process: a page at a time, on a database connection of its own.
            _executor = ThreadPoolExecutor(1, thread_name_prefix="api-read-ahead")
    _executor.submit(_in_thread, function, *args)


def _in_thread(function, *args) -> None:
    """The thread's database connection is handled as a request's: dropped when broken or
    older than CONN_MAX_AGE."""
    close_old_connections()
    try:
        function(*args)
    finally:
        close_old_connections()


def _read_and_store(key: str, read) -> None:
    try:
        cache.set(key, read(), timeout=settings.API_SYNC_READ_AHEAD_SECONDS)
    except Exception:
        logger.exception("Reading a sync feed's page ahead failed")
    finally:
        cache.delete(key + ":pending")
