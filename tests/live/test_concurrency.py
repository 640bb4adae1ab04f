"""The waiting list under concurrent registrations: run on PostgreSQL.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/pytest tests/live/test_concurrency.py
"""

import threading

import pytest
from django.db import connection, connections

from agencies.models import Role
from live import services
from live.models import Registration
from tests.builders import make_member

from .conftest import schedule

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_forty_concurrent_registrations_for_ten_seats(world):
    session = schedule(world.a_trainer, capacity=10)
    people = [
        make_member(world.a, Role.LEARNER, world.data, email=f"race{i}@a.gov") for i in range(40)
    ]
    barrier = threading.Barrier(len(people))
    errors = []

    def register(person):
        try:
            barrier.wait()
            services.registration_create(actor=person, session=session)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    rows = Registration.objects.filter(session=session)
    assert rows.filter(status="registered").count() == 10
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, 31))
