"""One "today" per agency (agencies.dates), used by every app."""

import datetime

import pytest
import time_machine

from agencies.access import agency_today
from agencies.dates import agency_date, agency_day_bounds
from reminders.policy import Policy
from reports.access import dashboard_scope

UTC = datetime.UTC
# 12 March 2025, 12:00 UTC: still the 12th in Los Angeles (04:00), already the 13th on
# Kiritimati (UTC+14, 02:00).
NOON = datetime.datetime(2025, 3, 12, 12, tzinfo=UTC)


def test_agency_date_is_the_date_in_the_agency_time_zone_at_a_moment():
    assert agency_date("America/Los_Angeles", NOON) == datetime.date(2025, 3, 12)
    assert agency_date("Pacific/Kiritimati", NOON) == datetime.date(2025, 3, 13)
    assert agency_date(None, NOON) == agency_date("", NOON) == datetime.date(2025, 3, 12)


def test_agency_day_bounds_hold_exactly_the_moments_of_that_day():
    start, end = agency_day_bounds("Pacific/Kiritimati", datetime.date(2025, 3, 13))
    assert start == datetime.datetime(2025, 3, 12, 10, tzinfo=UTC)
    assert end == datetime.datetime(2025, 3, 13, 10, tzinfo=UTC)
    assert agency_date("Pacific/Kiritimati", start) == datetime.date(2025, 3, 13)
    assert agency_date("Pacific/Kiritimati", end - datetime.timedelta(microseconds=1)) == (
        datetime.date(2025, 3, 13)
    )


@pytest.mark.django_db
def test_every_app_asks_the_same_today(world):
    world.a.time_zone = "Pacific/Kiritimati"
    world.a.save(update_fields=["time_zone"])
    with time_machine.travel(NOON, tick=False):
        expected = datetime.date(2025, 3, 13)
        assert agency_today(world.a_admin) == expected
        assert dashboard_scope(world.a_admin).today() == expected
        assert Policy.for_agency(world.a).today() == expected
        # The send hour decides when reminders go out, not what day it is.
        policy = Policy.for_agency(world.a)
        assert policy.send_day() == expected - datetime.timedelta(days=1)  # 02:00 < 07:00
        assert dashboard_scope(world.platform_admin).today() == datetime.date(2025, 3, 12)
