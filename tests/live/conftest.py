from datetime import timedelta

import pytest
from django.utils import timezone

from live import services


def schedule(trainer, *, days=3, capacity=10, units=(), **fields):
    """A session scheduled through the service, `days` from now, one hour long."""
    starts = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    data = dict(
        title="Prompting workshop",
        description="# Bring a laptop\n\nWe practise **prompting**.",
        format="online",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=capacity,
        location="",
        join_url="https://meet.example.gov/room-1",
        host=trainer,
        language="en",
        course=None,
    )
    data.update(fields)
    return services.session_create(actor=trainer, units=list(units), **data)


@pytest.fixture
def session(world):
    return schedule(world.a_trainer)
