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
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
