"""Everything that changes learner state. Views, tasks, subscribers and seeders call these.

Learning is the only app that writes enrollments, lesson progress, attempts, certificates and
learning events; other apps ask these services (`enrollments_assign` for assignments).
"""

from .attempts import (
    GRACE,
    answered_count,
    attempt_is_expired,
    attempt_save_draft,
    attempt_start,
    attempt_submit,
)
from .attendance import attendances_record, live_session_key
from .bulk import enrollments_assign, enrollments_set_terms
from .certificates import certificate_issue, certificate_revoke, certificates_expire
from .enrollment import (
    enrollment_complete_if_done,
    enrollment_create,
    enrollment_reopen,
    enrollment_sync_version,
    enrollment_visit,
    lesson_complete,
)
from .events import event_record
from .history import HistoryRow, completions_import, history_parse_csv
from .moves import enrollments_move_unit
from .practice import practice_event_record, practice_pass
from .terms import assignment_terms

__all__ = [
    "HistoryRow",
    "completions_import",
    "history_parse_csv",
    "GRACE",
    "answered_count",
    "assignment_terms",
    "attendances_record",
    "live_session_key",
    "attempt_is_expired",
    "attempt_save_draft",
    "attempt_start",
    "attempt_submit",
    "certificate_issue",
    "certificate_revoke",
    "certificates_expire",
    "enrollment_complete_if_done",
    "enrollment_create",
    "enrollment_reopen",
    "enrollment_sync_version",
    "enrollment_visit",
    "enrollments_assign",
    "enrollments_move_unit",
    "enrollments_set_terms",
    "event_record",
    "lesson_complete",
    "practice_event_record",
    "practice_pass",
]
