"""The reminder policy as pure date arithmetic (no database)."""

import datetime

import pytest

from agencies.dates import agency_date
from reminders.models import Kind
from reminders.policy import (
    Policy,
    add_months,
    calendar_due,
    current_step,
    escalation_day,
    iso_week_step,
    next_look,
    next_period,
)

D = datetime.date
DUE = D(2027, 3, 31)
POLICY = Policy()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2027, 3, 16), None),  # 15 days before: nothing yet
        (D(2027, 3, 17), (Kind.BEFORE, 14)),  # 14 days before
        (D(2027, 3, 23), (Kind.BEFORE, 14)),
        (D(2027, 3, 24), (Kind.BEFORE, 7)),
        (D(2027, 3, 30), (Kind.BEFORE, 1)),
        (D(2027, 3, 31), (Kind.DUE, 0)),  # on the due date
        (D(2027, 4, 6), (Kind.DUE, 0)),  # 6 days overdue: still the due-date step
        (D(2027, 4, 7), (Kind.OVERDUE, 1)),  # every 7 days while overdue
        (D(2027, 4, 14), (Kind.OVERDUE, 2)),
        (D(2027, 6, 30), (Kind.OVERDUE, 13)),
    ],
)
def test_current_step_follows_the_default_policy(today, expected):
    step = current_step(POLICY, DUE, today)
    assert (step[:2] if step else None) == expected


def test_next_look_is_the_next_step_or_the_escalation():
    assert next_look(POLICY, DUE, D(2027, 3, 1)) == D(2027, 3, 17)
    assert next_look(POLICY, DUE, D(2027, 3, 17)) == D(2027, 3, 24)
    assert next_look(POLICY, DUE, D(2027, 3, 31)) == D(2027, 4, 7)
    assert escalation_day(POLICY, DUE) == D(2027, 4, 7)
    assert next_look(POLICY, DUE, D(2027, 4, 7)) == D(2027, 4, 14)


def test_custom_policy_without_due_date_step_and_other_spacing():
    policy = Policy(
        before_days=(3,), on_due_date=False, overdue_every_days=2, escalate_after_days=5
    )
    assert current_step(policy, DUE, D(2027, 3, 28))[:2] == (Kind.BEFORE, 3)
    assert current_step(policy, DUE, D(2027, 3, 31))[:2] == (Kind.BEFORE, 3)
    assert current_step(policy, DUE, D(2027, 4, 2))[:2] == (Kind.OVERDUE, 1)
    assert next_look(policy, DUE, D(2027, 4, 2)) == D(2027, 4, 4)
    assert escalation_day(policy, DUE) == D(2027, 4, 5)


def test_send_day_turns_over_at_send_hour_in_the_agency_time_zone():
    import zoneinfo

    ny = Policy(time_zone="America/New_York", tz=zoneinfo.ZoneInfo("America/New_York"))
    paris = Policy(time_zone="Europe/Paris", tz=zoneinfo.ZoneInfo("Europe/Paris"))
    # 10:30 UTC = 06:30 in New York (EDT, before 07:00) and 12:30 in Paris (CEST).
    now = datetime.datetime(2027, 3, 31, 10, 30, tzinfo=datetime.UTC)
    assert ny.send_day(now) == D(2027, 3, 30)
    assert paris.send_day(now) == D(2027, 3, 31)
    assert ny.send_at(D(2027, 3, 31)) == datetime.datetime(2027, 3, 31, 11, 0, tzinfo=datetime.UTC)
    assert ny.send_day(ny.send_at(D(2027, 3, 31))) == D(2027, 3, 31)


def test_policy_today_is_the_agency_date_whatever_the_send_hour():
    import zoneinfo

    ny = Policy(time_zone="America/New_York", tz=zoneinfo.ZoneInfo("America/New_York"))
    now = datetime.datetime(2027, 3, 31, 10, 30, tzinfo=datetime.UTC)  # 06:30 in New York
    assert ny.today(now) == D(2027, 3, 31) == agency_date("America/New_York", now)
    assert ny.today(datetime.datetime(2027, 3, 31, 3, 59, tzinfo=datetime.UTC)) == D(2027, 3, 30)


def test_months_arithmetic_clamps_to_month_end():
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert add_months(D(2027, 3, 31), 12) == D(2028, 3, 31)
    assert add_months(D(2027, 11, 15), 3) == D(2028, 2, 15)
    assert calendar_due(D(2027, 3, 31), 12, D(2027, 4, 1)) == D(2028, 3, 31)
    assert calendar_due(D(2027, 3, 31), 6, D(2027, 3, 31)) == D(2027, 3, 31)


def test_next_period_anchored_on_completion():
    opens, due = next_period(
        recur_months=12,
        anchor="completion",
        first_due=D(2027, 3, 31),
        current_due=D(2027, 3, 31),
        completed_on=D(2027, 3, 10),
        open_days=30,
    )
    assert due == D(2028, 3, 10)
    assert opens == D(2028, 2, 9)


def test_next_period_anchored_on_calendar_keeps_the_fixed_date():
    # Completed late (after the 31 March due date): the next period is still 31 March next year.
    opens, due = next_period(
        recur_months=12,
        anchor="calendar",
        first_due=D(2027, 3, 31),
        current_due=D(2027, 3, 31),
        completed_on=D(2027, 4, 20),
        open_days=30,
    )
    assert due == D(2028, 3, 31)
    assert opens == D(2028, 3, 1)


def test_iso_week_step():
    assert iso_week_step(D(2027, 3, 1)) == 202709
    assert iso_week_step(D(2027, 1, 1)) == 202653  # ISO week 53 of 2026


def test_next_look_before_the_due_date_reaches_the_first_overdue_step():
    policy = Policy(
        before_days=(3,), on_due_date=False, overdue_every_days=2, escalate_after_days=30
    )
    assert next_look(policy, DUE, D(2027, 3, 28)) == D(2027, 4, 2)
