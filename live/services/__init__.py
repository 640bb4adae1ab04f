"""Every change of state of live sessions (see docs/events.md)."""

from .assignments import session_assign, session_assignment_delete
from .attendance import attendance_import, checkin
from .feeds import calendar_feed_reset, calendar_feed_revoke
from .registrations import (
    attendance_record,
    registration_cancel,
    registration_create,
)
from .sessions import series_create, session_create, session_update
from .sharing import session_sharing_decide, session_sharing_set

__all__ = [
    "attendance_import",
    "attendance_record",
    "calendar_feed_reset",
    "calendar_feed_revoke",
    "checkin",
    "registration_cancel",
    "registration_create",
    "series_create",
    "session_assign",
    "session_assignment_delete",
    "session_create",
    "session_sharing_decide",
    "session_sharing_set",
    "session_update",
]
