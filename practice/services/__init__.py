"""Everything that changes practice submissions and reviews. Views, tasks and seeders call
these (`from practice import services`)."""

from .reviews import CLAIM_MINUTES, submission_claim, submission_review
from .submissions import (
    submission_file_add,
    submission_file_delete,
    submission_for,
    submission_save_draft,
    submission_submit,
    task_for,
)

__all__ = [
    "CLAIM_MINUTES",
    "submission_claim",
    "submission_file_add",
    "submission_file_delete",
    "submission_for",
    "submission_review",
    "submission_save_draft",
    "submission_submit",
    "task_for",
]
