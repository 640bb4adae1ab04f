"""Who may see which submission. Lookups answer 404 whether a submission is missing or
forbidden, so ids leak nothing.

- The learner sees their own submissions.
- Reviewers are the trainers and agency admins of the LEARNER's agency (`Submission.agency`),
  whoever owns the course (a course another agency shared is reviewed by the learner's agency).
  When that agency has named reviewers for the course (`CourseReviewer`), only those of them
  who are trainers or admins review its submissions of that course.
- Reviewers of a course are named by its owner agency's trainers (for their own agency) and by
  the agency's admins (for any course their learners take).
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from agencies.access import Actor, actor_for
from courses.access import course_visible_to_agency_q
from courses.models import Course

from .models import CourseReviewer, Submission, SubmissionFile


def can_review(actor: Actor) -> bool:
    return actor.is_trainer and actor.agency_id is not None


def reviewable_q(actor: Actor, *, prefix: str = "") -> Q:
    """Submissions (through `prefix`, e.g. "submission__") the actor may review: those of the
    actor's agency whose course has no named reviewers there, or names the actor. None for
    anyone but a trainer or agency admin."""
    if not can_review(actor):
        return Q(pk__in=[])
    named = CourseReviewer.objects.filter(
        agency_id=OuterRef(f"{prefix}agency_id"), course_id=OuterRef(f"{prefix}course_id")
    )
    return Q(**{f"{prefix}agency_id": actor.agency_id}) & (
        ~Exists(named) | Exists(named.filter(user_id=actor.user_id))
    )


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
    reviewer = reviewable_q(actor, prefix="submission__") & ~Q(submission__status="draft")
    seen = Q(submission__user=user) | reviewer
    try:
        return SubmissionFile.objects.filter(seen).get(pk=file_id, submission_id=submission_id)
    except (SubmissionFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reviewer_courses_q(actor: Actor) -> Q:
    """Courses whose reviewers the actor may name (callers add "has practice tasks")."""
    if actor.agency_id is None or not actor.is_trainer:
        return Q(pk__in=[])
    if actor.is_agency_admin:
        return course_visible_to_agency_q(actor.agency_id)
    return Q(owner_id=actor.agency_id)


def access_course_reviewers(user, course_id) -> Course:
    """A course with practice tasks whose reviewers the user may name, or 404."""
    actor = actor_for(user)
    try:
        return (
            Course.objects.filter(reviewer_courses_q(actor), practice_tasks__isnull=False)
            .distinct()
            .get(pk=course_id)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
