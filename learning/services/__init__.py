"""Everything that changes learner state. Views, tasks and seeders call these."""

from .attempts import GRACE, attempt_is_expired, attempt_start, attempt_submit
from .certificates import certificate_issue, certificate_revoke
from .enrollment import (
    enrollment_complete_if_done,
    enrollment_create,
    enrollment_reopen,
    enrollment_sync_version,
    enrollment_visit,
    lesson_complete,
)
from .events import event_record
from .moves import enrollments_move_unit

__all__ = [
    "GRACE", "attempt_is_expired", "attempt_start", "attempt_submit", "certificate_issue",
    "certificate_revoke", "enrollment_complete_if_done", "enrollment_create", "enrollment_reopen",
    "enrollment_sync_version", "enrollment_visit", "enrollments_move_unit", "event_record",
    "lesson_complete",
]
