"""Everything that changes reminder state. Views, tasks, beat and seeders call these."""

from .actions import (
    notification_mark_read,
    notification_send,
    policy_update,
    preference_update,
    reminder_nudge,
    reminder_nudge_overdue,
    unread_count,
)
from .assignments import (
    assignees_follow_member,
    assignees_follow_unit_move,
    assignment_create,
    assignment_materialise_batch,
    assignment_remove,
    assignments_apply_to_member,
    assignments_unfinished,
    check_due_date,
    enrollments_follow_assignments,
)
from .editing import assignee_exempt, assignee_extend, assignment_update_due
from .expiry import expiry_reminders_record
from .preview import assignment_preview
from .recorded import ReminderDraft, reminders_logged, reminders_record, sources_record
from .recurrence import recurrence_roll
from .scan import digests_scan, reminders_scan
from .sending import reminders_send, reminders_sweep

__all__ = [
    "notification_send",
    "ReminderDraft",
    "assignee_exempt",
    "assignee_extend",
    "assignees_follow_member",
    "assignees_follow_unit_move",
    "assignment_create",
    "assignment_materialise_batch",
    "assignment_preview",
    "assignment_remove",
    "assignment_update_due",
    "assignments_apply_to_member",
    "assignments_unfinished",
    "check_due_date",
    "digests_scan",
    "enrollments_follow_assignments",
    "notification_mark_read",
    "policy_update",
    "preference_update",
    "recurrence_roll",
    "reminder_nudge",
    "reminder_nudge_overdue",
    "reminders_logged",
    "reminders_record",
    "sources_record",
    "expiry_reminders_record",
    "reminders_scan",
    "reminders_send",
    "reminders_sweep",
    "unread_count",
]
