"""The PostgreSQL backend's health check (academy/postgresql): no round trip on a healthy
connection, and a connection the server dropped replaced before the request's first query."""

import time

import pytest
from django.conf import settings
from django.db import connection

from academy.postgresql.base import DatabaseWrapper

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
