"""The reminder policy as pure functions of dates: no database, easy to test with frozen time.

A reminder "step" is (kind, step number, date). For one due date the steps are, in order: one
per `before_days` (step = days before), the due date itself (step 0), then overdue steps
k = 1, 2, ... every `overdue_every_days`. Escalation to managers is one step after
`escalate_after_days` overdue. A step fires once its day's send time has come (`send_hour`
o'clock in the agency's time zone, `Policy.send_at`; the latest such day is `Policy.send_day`);
when the scanner looks late, only the latest step is sent, so a person assigned something
already overdue gets one notice, not a backlog. "Today" (`Policy.today`) is the agency's plain
date, as everywhere else (agencies.dates); the send hour only decides when reminders go out.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.dates import agency_date
from learning.expiry import add_months

from .models import Kind


@dataclass(frozen=True)
class Policy:
    before_days: tuple = (14, 7, 1)
    on_due_date: bool = True
    overdue_every_days: int = 7
    escalate_after_days: int = 7
    digest_weekday: int = 0
    send_hour: int = 7
    expiry_before_days: tuple = (60, 30, 7)
    time_zone: str = "UTC"
    tz: zoneinfo.ZoneInfo = field(default=None, compare=False)

    @classmethod
    def for_agency(cls, agency, row=None):
        """The agency's policy (its ReminderPolicy row, else the defaults) in its time zone."""
        tz = zoneinfo.ZoneInfo(agency.time_zone or "UTC")
        if row is None:
            return cls(time_zone=agency.time_zone, tz=tz)
        return cls(
            before_days=tuple(
                sorted({int(d) for d in row.before_days if int(d) > 0}, reverse=True)
            ),
            on_due_date=row.on_due_date,
            overdue_every_days=row.overdue_every_days,
            escalate_after_days=row.escalate_after_days,
            digest_weekday=row.digest_weekday,
            send_hour=row.send_hour,
            expiry_before_days=tuple(
                sorted({int(d) for d in row.expiry_before_days if int(d) > 0}, reverse=True)
            ),
            time_zone=agency.time_zone,
            tz=tz,
        )

    def today(self, now=None) -> datetime.date:
        """The agency's date at `now` (default: now), the one "today" of agencies.dates: due
        dates, due-date arithmetic and overdue are judged by it."""
        return agency_date(self.time_zone, now)

    def send_at(self, day: datetime.date) -> datetime.datetime:
        """When the reminders of `day` go out: `send_hour` o'clock on that day in the agency's
        time zone, as an aware datetime."""
        tz = self.tz or zoneinfo.ZoneInfo(self.time_zone)
        return datetime.datetime.combine(day, datetime.time(self.send_hour), tzinfo=tz)

    def send_day(self, now=None) -> datetime.date:
        """The latest day whose send time (`send_at`) has come by `now`: the agency's today
        from `send_hour` on, yesterday before it. Reminder steps fire on this day."""
        now = now or timezone.now()
        today = self.today(now)
        return today if now >= self.send_at(today) else today - datetime.timedelta(days=1)


def learner_steps(policy: Policy, due_on: datetime.date, *, until: datetime.date):
    """Learner reminder steps (kind, step, date) for `due_on`, in date order, up to `until`."""
    for days in policy.before_days:
        yield Kind.BEFORE, days, due_on - datetime.timedelta(days=days)
    if policy.on_due_date:
        yield Kind.DUE, 0, due_on
    k = 1
    while True:
        day = due_on + datetime.timedelta(days=k * policy.overdue_every_days)
        if day > until:
            return
        yield Kind.OVERDUE, k, day
        k += 1


def current_step(policy: Policy, due_on: datetime.date, today: datetime.date):
    """The latest learner step whose date has come, or None before the first one."""
    latest = None
    for kind, step, day in learner_steps(policy, due_on, until=today):
        if day > today:
            break
        latest = (kind, step, day)
    return latest


def expiry_step(policy: Policy, expires_on: datetime.date, day: datetime.date) -> int | None:
    """The latest "certificate expiring" step (days before `expires_on`) whose date has come
    by `day`, or None before the first one or once the certificate has expired."""
    if day >= expires_on:
        return None
    left = (expires_on - day).days
    passed = [days for days in policy.expiry_before_days if left <= days]
    return min(passed) if passed else None


def escalation_day(policy: Policy, due_on: datetime.date) -> datetime.date:
    return due_on + datetime.timedelta(days=policy.escalate_after_days)


def next_look(policy: Policy, due_on: datetime.date, today: datetime.date) -> datetime.date:
    """The first day after `today` on which a learner step or the escalation falls."""
    horizon = max(today, due_on) + datetime.timedelta(days=policy.overdue_every_days + 1)
    candidates = [day for _, _, day in learner_steps(policy, due_on, until=horizon) if day > today]
    escalation = escalation_day(policy, due_on)
    if escalation > today:
        candidates.append(escalation)
    return min(candidates)


def calendar_due(anchor: datetime.date, months: int, on_or_after: datetime.date) -> datetime.date:
    """The first date of the series anchor + k*months (k >= 0) that is on or after a date."""
    k = 0
    due = anchor
    while due < on_or_after:
        k += 1
        due = add_months(anchor, k * months)
    return due


def next_period(
    *,
    recur_months: int,
    anchor: str,
    first_due: datetime.date,
    current_due: datetime.date,
    completed_on: datetime.date,
    open_days: int,
) -> tuple[datetime.date, datetime.date]:
    """(opens_on, due_on) of the period after one completed on `completed_on`.

    Anchored on completion: due `recur_months` after the completion. Anchored on the calendar:
    the next date of the series after the current due date (a completion counts for the period
    it falls in, so a late completion still moves on to the next calendar date). The new period
    opens `open_days` before its due date, and never before the completion.
    """
    if anchor == "calendar":
        due = calendar_due(first_due, recur_months, current_due + datetime.timedelta(days=1))
    else:
        due = add_months(completed_on, recur_months)
    opens = max(due - datetime.timedelta(days=open_days), completed_on + datetime.timedelta(days=1))
    return opens, due


def iso_week_step(day: datetime.date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week
