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


def test_a_bulk_assignment_racing_self_registrations_keeps_seats_and_list_exact(world):
    """An assignment of 20 people (placed in bulk) while 20 others register themselves on a
    10-seat session: 10 seats, 30 waiting at 1..30, everyone exactly once."""
    from tests.factories import UnitFactory

    team = UnitFactory(agency=world.a, parent=world.data, name="Team")
    assigned = [make_member(world.a, Role.LEARNER, team, email=f"team{i}@a.gov") for i in range(20)]
    selves = [
        make_member(world.a, Role.LEARNER, world.data, email=f"self{i}@a.gov") for i in range(20)
    ]
    session = schedule(world.a_trainer, capacity=10)
    barrier = threading.Barrier(len(selves) + 1)
    errors = []

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    actions = [
        lambda p=p: services.registration_create(actor=p, session=session) for p in selves
    ] + [
        lambda: services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=team
        )
    ]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    rows = Registration.objects.filter(session=session)
    assert rows.count() == 40
    assert set(rows.values_list("user_id", flat=True)) == {p.pk for p in assigned + selves}
    assert rows.filter(status="registered").count() == 10
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, 31))
