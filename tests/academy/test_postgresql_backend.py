"""The PostgreSQL backend (academy/postgresql): the health check makes no round trip on a healthy
connection and replaces one the server dropped before the request's first query; timestamps
read by psycopg's own loader are the values Django's loader gives."""

import datetime
import time

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.test import override_settings
from psycopg.pq import Format

from academy.postgresql.base import PSYCOPG_TIMESTAMPTZ_LOADER, TIMESTAMPTZ_OID, DatabaseWrapper
from academy.prepared import statement_cursor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "academy.postgresql",
        reason="the backend is PostgreSQL's",
    ),
]


@pytest.fixture
def persistent():
    """A second connection to the test database set up as production's: persistent, checked."""
    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    )
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def round_trips(persistent, monkeypatch):
    """How many times the check fell back to Django's SELECT 1."""
    calls = []
    original = persistent.is_usable

    def counted():
        calls.append(1)
        return original()

    monkeypatch.setattr(persistent, "is_usable", counted)
    return calls


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request(wrapper):
    """What Django does between requests (request_started/finished: close_old_connections)."""
    wrapper.close_if_unusable_or_obsolete()


def test_a_healthy_connection_is_kept_without_a_round_trip(persistent, round_trips):
    pid = backend_pid(persistent)
    for _ in range(3):
        next_request(persistent)
        assert backend_pid(persistent) == pid
    assert round_trips == []


def test_a_connection_the_server_dropped_is_replaced_before_the_first_query(
    persistent, round_trips
):
    pid = backend_pid(persistent)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until_readable(persistent)
    next_request(persistent)

    new_pid = backend_pid(persistent)  # no error: the check closed the dead connection

    assert new_pid != pid
    assert round_trips == [1]  # something arrived on the socket: Django's SELECT 1 decided


def test_a_connection_in_a_transaction_is_checked_with_a_round_trip(persistent, round_trips):
    persistent.set_autocommit(False)
    with persistent.cursor() as cursor:
        cursor.execute("SELECT 1")
    persistent.health_check_done = False

    persistent.close_if_health_check_failed()

    assert round_trips == [1]
    persistent.rollback()
    persistent.set_autocommit(True)


def test_a_notice_on_the_socket_does_not_drop_a_live_connection(persistent, round_trips):
    pid = backend_pid(persistent)
    with persistent.cursor() as cursor:
        cursor.execute("LISTEN academy_health")
    sender = DatabaseWrapper(connection.settings_dict)  # autocommit: the test's is in a transaction
    with sender.cursor() as cursor:
        cursor.execute("NOTIFY academy_health")
    sender.close()
    wait_until_readable(persistent)
    next_request(persistent)

    assert backend_pid(persistent) == pid
    assert round_trips == [1]


def wait_until_readable(wrapper, timeout=5.0):
    deadline = time.monotonic() + timeout
    while wrapper._quiet_and_idle():
        assert time.monotonic() < deadline, "the server's message never reached the socket"
        time.sleep(0.01)


# Timestamps read by psycopg's own loader (the module's docstring).

TIMESTAMPS_SQL = """
    SELECT t FROM (VALUES
        ('2026-12-07 06:41:09.864506+00'::timestamptz), ('2020-01-01 10:00:00.123456+05:30'),
        ('1969-07-20 20:17:40-04:00'), ('0001-01-01 00:00:00+00'),
        ('9999-12-31 23:59:59.999999+00'), ('2024-02-29 23:59:59+14'), ('2024-03-31 01:30:00-09:30')
    ) AS v (t)
    UNION ALL SELECT generate_series('2025-03-01'::timestamptz, '2025-11-30', interval '37 hours 13 minutes 1.5 seconds')
"""


def read_with_djangos_loader(wrapper):
    with wrapper.connection.cursor() as cursor:
        register_tzloader(wrapper.timezone, cursor)
        cursor.execute(TIMESTAMPS_SQL)
        return [row[0] for row in cursor.fetchall()]


def test_timestamps_are_read_by_psycopgs_loader_with_the_values_djangos_gives(persistent):
    with persistent.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is (
            PSYCOPG_TIMESTAMPTZ_LOADER
        )
        cursor.execute(TIMESTAMPS_SQL)
        ours = [row[0] for row in cursor.fetchall()]
    with statement_cursor(persistent) as cursor:  # the cursor of the SQL built once per process
        cursor.execute(TIMESTAMPS_SQL)
        prepared = [row[0] for row in cursor.fetchall()]

    djangos = read_with_djangos_loader(persistent)
    assert len(djangos) > 150
    assert ours == prepared == djangos
    assert all(value.tzinfo is datetime.UTC for value in ours + prepared + djangos)


def test_a_server_side_cursor_reads_the_same_timestamps(persistent):
    with persistent.chunked_cursor() as cursor:  # .iterator(): a named cursor, Django's own way
        cursor.execute(TIMESTAMPS_SQL)
        named = [row[0] for row in cursor.fetchall()]
    with persistent.cursor() as cursor:
        cursor.execute(TIMESTAMPS_SQL)
        plain = [row[0] for row in cursor.fetchall()]

    assert named == plain == read_with_djangos_loader(persistent)


def read_one_timestamp(cursor) -> datetime.datetime:
    with cursor:
        cursor.execute("SELECT '2020-01-01 10:00:00+05:30'::timestamptz")
        return cursor.fetchone()[0]


def test_without_time_zone_support_timestamps_are_naive_as_django_reads_them():
    connection.ensure_connection()
    with override_settings(USE_TZ=False):  # Django's signal tells every open connection
        naive = read_one_timestamp(connection.cursor())
        naive_prepared = read_one_timestamp(statement_cursor(connection))
    aware = read_one_timestamp(connection.cursor())
    aware_prepared = read_one_timestamp(statement_cursor(connection))  # the connection's loader

    assert naive == naive_prepared == datetime.datetime(2020, 1, 1, 4, 30)
    assert aware == aware_prepared == datetime.datetime(2020, 1, 1, 4, 30, tzinfo=datetime.UTC)
    assert aware_prepared.tzinfo is datetime.UTC
