"""Everything that changes practice submissions and reviews. Views, tasks and seeders call
these (`from practice import services`)."""

from .agency_settings import review_target_set
from .course_reviewers import course_reviewers_set, reviewer_candidates
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
    "course_reviewers_set",
    "review_target_set",
    "reviewer_candidates",
    "submission_claim",
    "submission_file_add",
    "submission_file_delete",
    "submission_for",
    "submission_review",
    "submission_save_draft",
    "submission_submit",
    "task_for",
]
