"""Who may see which submission. Lookups answer 404 whether a submission is missing or
forbidden, so ids leak nothing.

- The learner sees their own submissions.
- Reviewers are the trainers and agency admins of the LEARNER's agency (`Submission.agency`),
  whoever owns the course (a course another agency shared is reviewed by the learner's agency).
"""

from django.db.models import Q
from django.http import Http404

from agencies.access import Actor, actor_for

from .models import Submission, SubmissionFile


def can_review(actor: Actor) -> bool:
    return actor.is_trainer and actor.agency_id is not None


def reviewable_q(actor: Actor) -> Q:
    """Submissions the actor may review (none for anyone but a trainer or agency admin)."""
    if not can_review(actor):
        return Q(pk__in=[])
    return Q(agency_id=actor.agency_id)


def access_review(user, submission_id) -> Submission:
    """A submission the user may review (not a draft), or 404."""
    actor = actor_for(user)
    try:
        return (
            Submission.objects.filter(reviewable_q(actor))
            .exclude(status="draft")
            .select_related("enrollment__version", "user", "course")
            .get(pk=submission_id)
        )
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_file(user, submission_id, file_id) -> SubmissionFile:
    """A file of a submission the user may see: their own, or one they may review (not a
    draft's), or 404."""
    if not user.is_authenticated:
        raise Http404
    actor = actor_for(user)
    reviewer = (
        Q(submission__agency_id=actor.agency_id) & ~Q(submission__status="draft")
        if can_review(actor)
        else Q(pk__in=[])
    )
    seen = Q(submission__user=user) | reviewer
    try:
        return SubmissionFile.objects.filter(seen).get(pk=file_id, submission_id=submission_id)
    except (SubmissionFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
