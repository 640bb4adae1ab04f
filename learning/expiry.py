"""Certificate validity: calendar months added to a date or a time (no database)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 = 28 Feb).

    Works for dates and datetimes alike (a datetime keeps its time and time zone)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_for(issued_at: datetime.datetime, snapshot: dict) -> datetime.datetime | None:
    """When a certificate issued at `issued_at` on a version with this snapshot expires
    (None: the version sets no validity)."""
    months = snapshot.get("validity_months")
    return add_months(issued_at, int(months)) if months else None
