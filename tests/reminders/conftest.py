"""Reminder fixtures: a published course in agency A and helpers that go through services."""

import datetime

import pytest
import time_machine

from reminders import services
from reminders.models import Assignee, ReminderLog
from tests.builders import build_course

# A Monday, 12:00 UTC: 07:00 in New York, 13:00 in Paris.
T0 = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def course_a(world):
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def assign(django_capture_on_commit_callbacks):
    """Assign through the service and run the materialising task (eagerly) after commit."""

    def do(actor, **kwargs):
        kwargs.setdefault("required", True)
        with django_capture_on_commit_callbacks(execute=True):
            assignment = services.assignment_create(actor=actor, **kwargs)
        assignment.refresh_from_db()
        return assignment

    return do


@pytest.fixture
def scan(django_capture_on_commit_callbacks, mailoutbox):
    """Run the scanner (and the sending tasks it enqueues); return the messages it sent."""

    def do():
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_scan()
            services.digests_scan()
        return mailoutbox[before:]

    return do


def keys():
    return sorted(ReminderLog.objects.values_list("key", flat=True))


def assignee_for(user):
    return Assignee.objects.get(user=user)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The bell's unread counts live in the cache: start each test without another's."""
    from django.core.cache import cache

    cache.clear()
