"""One notion of "today": an agency's own calendar date at a given moment.

Due dates, overdue counts, daily completion buckets and daily snapshots are all agency-local
dates, so every app asks here instead of calling `timezone.localdate()` (the site's zone) or
taking a UTC date. Across agencies (a platform admin's view of all of them) the site's default
time zone stands in. When reminders are sent on a day is a separate notion, the reminder
policy's send hour (`reminders.policy.Policy.send_at`), not part of "today".
"""

import datetime
import zoneinfo

from django.utils import timezone


def agency_zone(time_zone: str | None) -> datetime.tzinfo:
    """The zone of an agency's `time_zone` name; None or "" (all agencies): the site's default."""
    return zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_default_timezone()


def agency_date(time_zone: str | None, at: datetime.datetime | None = None) -> datetime.date:
    """The date in the agency whose time zone is `time_zone`, at the aware moment `at` (now by
    default)."""
    return timezone.localtime(at or timezone.now(), agency_zone(time_zone)).date()


def agency_day_bounds(
    time_zone: str | None, day: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments the agency's day `day` starts and the next one starts (aware datetimes):
    a moment `m` falls on `day` there exactly when start <= m < end."""
    zone = agency_zone(time_zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end
