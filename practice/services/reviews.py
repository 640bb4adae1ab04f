"""The reviewer's side: claiming a submission for a while, then returning or passing it.

Two reviewers never grade the same submission: claiming is one conditional UPDATE (it changes
the row only if it is waiting, or its claim has run out, or the claimer already holds it), and
grading locks the row and requires the grader's own claim.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from learning import services as learning_services
from learning.models import Verb
from reminders import services as reminder_services

from ..access import reviewable_q
from ..models import Outcome, Review, Submission, SubmissionStatus

CLAIM_MINUTES = getattr(settings, "PRACTICE_CLAIM_MINUTES", 30)


def submission_claim(*, reviewer, submission_id: int, now=None) -> bool:
    """Claim the submission for CLAIM_MINUTES; True if the reviewer now holds it. One UPDATE:
    of two reviewers claiming at once, exactly one wins; the other is told it is taken."""
    now = now or timezone.now()
    free = (
        Q(status=SubmissionStatus.SUBMITTED)
        | Q(status=SubmissionStatus.CLAIMED, claimed_until__lt=now)
        | Q(status=SubmissionStatus.CLAIMED, claimed_by=reviewer)
    )
    changed = Submission.objects.filter(
        reviewable_q(actor_for(reviewer)), free, pk=submission_id
    ).update(
        status=SubmissionStatus.CLAIMED,
        claimed_by=reviewer,
        claimed_until=now + timedelta(minutes=CLAIM_MINUTES),
        updated_at=now,
    )
    return changed == 1


def score(task: dict, levels: dict, comments: dict) -> tuple[dict, int]:
    """({criterion key: {level, points, comment}}, total points) for the level index chosen
    for every criterion of the task's rubric; ValidationError if one is missing or unknown."""
    scores, total = {}, 0
    for criterion in task["rubric"]:
        raw = levels.get(criterion["key"])
        try:
            index = int(raw)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(criterion["levels"]):
            raise ValidationError(
                _("Choose a level for “%(criterion)s”.") % {"criterion": criterion["title"]}
            )
        points = criterion["levels"][index]["points"]
        scores[criterion["key"]] = {
            "level": index,
            "points": points,
            "comment": str(comments.get(criterion["key"]) or "").strip(),
        }
        total += points
    return scores, total


def max_points(task: dict) -> int:
    """The rubric's best score: the best level of every criterion."""
    return sum(max(level["points"] for level in c["levels"]) for c in task.get("rubric", []))


def _notify(submission: Submission, review: Review) -> None:
    url = reverse("practice:step", args=[submission.course.slug, submission.task_key])
    if review.outcome == Outcome.PASSED:
        title = _("Your practice task “%(task)s” passed") % {"task": submission.task_title}
    else:
        title = _("Your practice task “%(task)s” was returned with feedback") % {
            "task": submission.task_title
        }
    body = _("%(points)d points (pass mark %(mark)d). Open the task to read the feedback.") % {
        "points": review.points,
        "mark": submission.task["pass_mark"],
    }
    reminder_services.notification_send(user=submission.user, title=title, body=body, url=url)


def submission_review(
    *, reviewer, submission_id: int, levels: dict, comments: dict, comment: str, now=None
) -> Review:
    """Grade the submission the reviewer holds: passed when the points reach the task's pass
    mark (the step is credited, which may complete the course), returned otherwise (the
    learner may resubmit while the task allows). The learner is told in the app and by email.
    Refused, changing nothing, when the reviewer does not hold the claim (another reviewer
    took it after it ran out) or a criterion has no level."""
    now = now or timezone.now()
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("enrollment", "course", "user")
            .filter(reviewable_q(actor_for(reviewer)))
            .filter(pk=submission_id)
            .first()
        )
        if submission is None:
            raise ValidationError(_("This submission is not yours to review."))
        if submission.status != SubmissionStatus.CLAIMED or submission.claimed_by_id != reviewer.pk:
            raise ValidationError(
                _("Claim this submission before grading it: another reviewer may hold it.")
            )
        scores, points = score(submission.task, levels, comments)
        passed = points >= submission.task["pass_mark"]
        review = Review.objects.create(
            submission=submission,
            attempt=submission.attempt,
            reviewer=reviewer,
            scores=scores,
            points=points,
            comment=comment.strip(),
            outcome=Outcome.PASSED if passed else Outcome.RETURNED,
        )
        submission.status = SubmissionStatus.PASSED if passed else SubmissionStatus.RETURNED
        submission.claimed_by, submission.claimed_until = None, None
        submission.save(update_fields=["status", "claimed_by", "claimed_until", "updated_at"])
        result = {
            "attempt": submission.attempt,
            "points": points,
            "max_points": max_points(submission.task),
        }
        if submission.period != submission.enrollment.period:
            pass  # work of a closed cycle (the enrollment was reopened): graded, not credited
        elif passed:
            learning_services.practice_pass(
                enrollment=submission.enrollment, task_key=submission.task_key, result=result
            )
        else:
            learning_services.practice_event_record(
                enrollment=submission.enrollment,
                verb=Verb.PRACTICE_RETURNED,
                task_key=submission.task_key,
                result=result,
            )
        _notify(submission, review)
    return review
