"""Django's PostgreSQL backend, with the connection health check done without a round trip.

With persistent connections (`CONN_MAX_AGE`) and `CONN_HEALTH_CHECKS`, Django sends `SELECT 1`
before the first query of every request, so that a connection the server dropped (a restart, an
idle timeout, `pg_terminate_backend`) is replaced instead of failing that request. That round
trip cost about 0.17 ms of CPU on every page, a tenth of a lesson page (docs/performance.md).

A server that drops a connection says so on its socket: it sends its error and closes, so the
idle socket becomes readable. Here the check asks the kernel whether anything is waiting on the
socket (`poll` with no timeout) and whether psycopg already saw the connection break; only when
something is waiting, or the connection is not idle, does it send `SELECT 1` as Django does. A
connection that died without a word (a host gone from the network) is caught by neither check;
the query on it fails as before and Django closes it at the end of that request.

Also, timestamps are read by psycopg's own loader (C, with psycopg-binary) instead of Django's
Python subclass of psycopg's Python loader (with the loader made for each cursor, 6 to 9% of a
sampled lesson page): Django's only re-labels each value with the connection's time zone
(`replace(tzinfo=...)`), and when that zone is UTC, as it is with USE_TZ and no TIME_ZONE of
the database's own, psycopg's loader already gives the same value with the same
`datetime.timezone.utc` (tests/academy/test_postgresql_backend.py compares them). Any other
zone, and any cursor Django makes other than a plain one, goes back to Django's loader.
"""

import datetime
import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import adapt
from psycopg import adapters as psycopg_adapters
from psycopg.pq import Format, TransactionStatus

TIMESTAMPTZ_OID = psycopg_adapters.types["timestamptz"].oid
PSYCOPG_TIMESTAMPTZ_LOADER = psycopg_adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if self.timezone is datetime.UTC:
            context = adapt.AdaptersMap(params["context"])  # Django's template is shared
            context.register_loader(TIMESTAMPTZ_OID, PSYCOPG_TIMESTAMPTZ_LOADER)
            params["context"] = context
        return params

    def create_cursor(self, name=None):
        psycopg_loader = self._reads_timestamps_with_psycopg()
        if psycopg_loader and name is None and self.timezone is datetime.UTC:
            return self.connection.cursor()
        if psycopg_loader:  # Django's create_cursor reads the zone from its own loader: put it back
            register_tzloader(self.timezone, self.connection)
        return super().create_cursor(name)

    def ensure_timezone(self):
        """The zone may have changed (a test's override_settings): the connection's loader is
        made to match it, since the statements of academy.prepared use the connection's."""
        changed = super().ensure_timezone()
        if self.connection is not None:
            if self.timezone is datetime.UTC:
                self.connection.adapters.register_loader(
                    TIMESTAMPTZ_OID, PSYCOPG_TIMESTAMPTZ_LOADER
                )
            else:
                register_tzloader(self.timezone, self.connection)
        return changed

    def _reads_timestamps_with_psycopg(self) -> bool:
        loader = self.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        return loader is PSYCOPG_TIMESTAMPTZ_LOADER

    def close_if_health_check_failed(self):
        if (
            self.connection is None
            or self.pool
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return super().close_if_health_check_failed()
        if not self._quiet_and_idle() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _quiet_and_idle(self) -> bool:
        """True when the connection is open, idle, and nothing has arrived on its socket."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
