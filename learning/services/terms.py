"""The one rule for what an assignment does to an enrollment that already exists.

Used by `enrollment_create` (one person) and `enrollments_assign` (a batch), so the two paths
cannot drift apart. Written up in docs/reminders.md ("An assignment meets an existing
enrollment").
"""

import datetime


def assignment_terms(
    *,
    required_now: bool,
    due_now: datetime.date | None,
    completed: bool,
    required: bool,
    due_on: datetime.date | None,
) -> tuple[bool, datetime.date | None]:
    """(required, due date) of an existing enrollment after an assignment reaches it.

    - A required assignment makes the enrollment required, completed or not: a completion
      already earned counts toward the required training. A recommended assignment never makes
      it optional again.
    - Any assignment with a due date, required or recommended, brings an open enrollment's due
      date forward when its own is earlier (never later). A completed enrollment keeps its due
      date: it is history, and nothing is due any more.
    """
    new_required = required_now or required
    new_due = due_now
    if not completed and due_on is not None and (due_now is None or due_on < due_now):
        new_due = due_on
    return new_required, new_due
