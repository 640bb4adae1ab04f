"""A sync feed's next page, read ahead while the client reads the last one.

An integrator pages through a feed one request after another: while it reads and parses a
page (a few tens of milliseconds for 5,000 rows), the server has nothing to do, and while the
server reads the next page from PostgreSQL and writes it, the client waits. So once a page is
served, the two pages after it are read in threads of the web process (the second as soon as
the first's rows tell where it starts, so that PostgreSQL reads one while the process writes the
other) and kept, written, in the shared cache for API_SYNC_READ_AHEAD_SECONDS; the request for
one (on any worker) takes it from there, or waits for it while it is being read, instead of
reading it a second time (docs/performance.md, "Third pass" and "Fourth pass"). The process
that read a page keeps it too for a few seconds (`_Kept`), so a request that lands on it takes
the page without reading 2 MB back from the cache ("Sixth pass").

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
# Pages read at the same time by a process (`ahead`).
_THREADS = 2

# Pages a process keeps of what it read ahead, and for how long at most (`_Kept`).
_KEPT_PAGES = 2
_KEPT_SECONDS = 5.0

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class _Kept:
    """The pages this process read ahead, kept here as well as in the shared cache: a request
    that lands on this process (half of them with two workers) takes its page from here instead
    of reading it back from the cache (about 6 ms of CPU for a 2 MB page). At most _KEPT_PAGES,
    each dropped once taken, or after _KEPT_SECONDS (its request went to another process, or
    never came) by a thread that sleeps while nothing is kept. A page kept here is served only
    while its copy in the shared cache is there (`take`), so it is served once, as before."""

    def __init__(self):
        self._changed = threading.Condition()
        self._pages = {}  # key: (what `take` hands back, when it is dropped); oldest first
        self._reading = set()
        self._sweeper = None

    def reading(self, key: str) -> None:
        with self._changed:
            self._reading.add(key)

    def done(self, key: str, value=None) -> None:
        """The reading of `key` is over: keep `value` (None: the reading failed)."""
        with self._changed:
            self._reading.discard(key)
            if value is not None:
                self._pages.pop(key, None)
                self._pages[key] = (value, time.monotonic() + _KEPT_SECONDS)
                while len(self._pages) > _KEPT_PAGES:
                    del self._pages[next(iter(self._pages))]
                if self._sweeper is None or not self._sweeper.is_alive():
                    self._sweeper = threading.Thread(
                        target=self._sweep, name="api-read-ahead-kept", daemon=True
                    )
                    self._sweeper.start()
            self._changed.notify_all()

    def pop(self, key: str, deadline: float):
        """The page kept under `key`, waiting (until `deadline`) while this process is still
        reading it; None when this process has not read it (or no longer keeps it)."""
        with self._changed:
            while key in self._reading and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            value, until = self._pages.pop(key, (None, 0.0))
        return value if time.monotonic() < until else None

    def __len__(self) -> int:
        return len(self._pages)

    def _sweep(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for key in [k for k, (_v, until) in self._pages.items() if until <= now]:
                    del self._pages[key]
                first = min((until for _v, until in self._pages.values()), default=None)
                self._changed.wait(None if first is None else first - now)


_kept = _Kept()


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
    """What was read ahead under `key`, once, waiting while it is still being read; None when
    nothing was read ahead for this request (or the reading failed)."""
    pending = key + ":pending"
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        kept = _kept.pop(key, deadline)
        if kept is not None:
            # Served only while the shared copy is there: not yet taken by a request on another
            # process (nor expired); deleting it claims the page.
            if not cache.delete(key):
                return None
            cache.delete(pending)
            return kept
        while True:
            found = cache.get_many([key, pending])
            if key in found:
                cache.delete_many([key, pending])
                return found[key]
            if pending not in found or time.monotonic() >= deadline:
                return None
            time.sleep(_POLL_SECONDS)
    except Exception:  # the cache unreachable: the request reads its page itself
        logger.warning("The read-ahead cache is unreachable", exc_info=True)
        return None


def ahead(key: str, read, follow) -> None:
    """Make sure the page under `key` is read ahead, and the page after it as soon as its
    cursor is known: two pages ahead of the client, read at the same time in two threads, so
    that PostgreSQL's work for one overlaps the process's for the other.

    `read(on_rows)` reads and writes a page and returns what `take` hands back; it calls
    `on_rows(next_params)` once the page's rows are read, before writing them (`next_params`:
    the query parameters of the page after it, None at the end). `follow(params)` gives the
    `(key, read)` of the page `params` ask for."""
    try:
        if cache.add(key + ":pending", True, timeout=WAIT_SECONDS):
            _read_here(key, read, follow, True)
            return
        # Read or being read already (the page after the previous one): the one after it too,
        # by its reader once it knows where it starts, or from here if it knows already (each
        # side writes before it reads the other's key, so one of them starts it).
        cache.set(key + ":more", True, timeout=WAIT_SECONDS)
        after = cache.get(key + ":next")
    except Exception:  # the cache unreachable: nothing is read ahead
        logger.warning("The read-ahead cache is unreachable", exc_info=True)
        return
    if after is not None:
        _start(*follow(after), follow)


def _start(key: str, read, follow) -> None:
    """Read the page under `key` ahead, unless it is read or being read already; its reader
    goes on to the page after it only when asked to (`ahead`)."""
    if cache.add(key + ":pending", True, timeout=WAIT_SECONDS):
        _read_here(key, read, follow, False)


def _read_here(key: str, read, follow, then: bool) -> None:
    """Read the page under `key` in a thread of this process, which a request here for it
    waits for (`_Kept`) rather than polling the cache."""
    _kept.reading(key)
    try:
        _submit(_read_and_store, key, read, follow, then)
    except BaseException:
        _kept.done(key)  # never read: nobody waits for it
        raise


def _submit(function, *args) -> None:
    global _executor
    with _executor_lock:
        if _executor is None:
            # Two pages at a time (`ahead`), each thread with a database connection of its own.
            _executor = ThreadPoolExecutor(_THREADS, thread_name_prefix="api-read-ahead")
    _executor.submit(_in_thread, function, *args)


def _in_thread(function, *args) -> None:
    """The thread's database connection is handled as a request's: dropped when broken or
    older than CONN_MAX_AGE."""
    close_old_connections()
    try:
        function(*args)
    finally:
        close_old_connections()


def _read_and_store(key: str, read, follow, then: bool) -> None:
    """Read the page under `key` and keep it for `take` (with its `:pending` mark, which `take`
    removes); once its rows are read, start the page after it if `then` or if asked meanwhile
    (`ahead`)."""

    def on_rows(next_params) -> None:
        if next_params is None:
            return
        cache.set(key + ":next", next_params, timeout=WAIT_SECONDS)
        if then or cache.get(key + ":more"):
            _start(*follow(next_params), follow)

    value = None
    try:
        page = read(on_rows)
        cache.set(key, page, timeout=settings.API_SYNC_READ_AHEAD_SECONDS)
        value = page  # kept here only once the shared copy, which `take` claims, is there
    except Exception:
        logger.exception("Reading a sync feed's page ahead failed")
        cache.delete(key + ":pending")
    finally:
        _kept.done(key, value)
