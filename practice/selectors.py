"""Reads for the practice pages, scoped to the acting user."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from agencies.access import actor_for

from .access import reviewable_q
from .models import Review, Submission, SubmissionStatus

WAITING = (SubmissionStatus.SUBMITTED, SubmissionStatus.CLAIMED)


def learner_submission(enrollment, task_key: str) -> Submission | None:
    """The learner's submission for the task in the enrollment's current period, with its files
    and reviews (three queries), or None before the first save (of this period)."""
    return (
        Submission.objects.filter(
            enrollment=enrollment, period=enrollment.period, task_key=task_key
        )
        .prefetch_related("files", Prefetch("reviews", Review.objects.order_by("-attempt")))
        .first()
    )


def reviews_with_rows(reviews, task: dict) -> list[Review]:
    """The reviews, each with `rows`: per rubric criterion its title, the level's descriptor,
    the points and the comment (no query)."""
    out = []
    for review in reviews:
        review.rows = []
        for criterion in task["rubric"]:
            score = review.scores.get(criterion["key"]) or {}
            levels = criterion["levels"]
            index = score.get("level")
            level = levels[index] if isinstance(index, int) and 0 <= index < len(levels) else {}
            review.rows.append(
                {
                    "title": criterion["title"],
                    "descriptor": level.get("descriptor", ""),
                    "points": score.get("points", 0),
                    "comment": score.get("comment", ""),
                }
            )
        out.append(review)
    return out


def learner_name(submission: Submission) -> str | None:
    """The learner's name as a reviewer sees it: None when the task is reviewed anonymously."""
    if submission.task.get("anonymous_review"):
        return None
    return submission.user.full_name or submission.user.email


def review_queue(user, *, course_id=None, status=None) -> list[dict]:
    """Submissions the user may review, oldest submitted first: by default those waiting or
    being reviewed; `course_id` and `status` narrow them. One query."""
    rows = Submission.objects.filter(reviewable_q(actor_for(user))).exclude(
        status=SubmissionStatus.DRAFT
    )
    rows = rows.filter(status=status) if status else rows.filter(status__in=WAITING)
    if course_id:
        rows = rows.filter(course_id=course_id)
    rows = rows.select_related("user", "course", "claimed_by").order_by("submitted_at", "id")
    return [
        {
            "id": s.pk,
            "task": s.task_title,
            "course": s.course.title,
            "learner": learner_name(s),
            "status": s.get_status_display(),
            "submitted_at": s.submitted_at,
            "attempt": s.attempt,
            "claimed_by": (s.claimed_by.full_name or s.claimed_by.email) if s.claimed_by else "",
        }
        for s in rows[:200]
    ]


def queue_courses(user) -> list[tuple[int, str]]:
    """(id, title) of the courses with submissions the user may review (for the filter)."""
    return list(
        Submission.objects.filter(reviewable_q(actor_for(user)))
        .exclude(status=SubmissionStatus.DRAFT)
        .values_list("course_id", "course__title")
        .distinct()
        .order_by("course__title")
    )


def review_target_hours() -> int:
    """How long a submission may wait for its review before the dashboard flags it
    (PRACTICE_REVIEW_TARGET_HOURS, one platform-wide target: 72 hours by default)."""
    return int(getattr(settings, "PRACTICE_REVIEW_TARGET_HOURS", 72))


def review_figures(scope) -> dict:
    """The dashboard's practice review figures for a reports DashboardScope (one query):
    submissions waiting for a review (submitted or claimed), those waiting longer than the
    target, and when the oldest was submitted."""
    late_before = timezone.now() - timedelta(hours=review_target_hours())
    rows = Submission.objects.filter(status__in=WAITING)
    if scope.agency is not None:
        rows = rows.filter(agency_id=scope.agency.pk)
    if scope.unit is not None:
        rows = rows.filter(enrollment__unit__path__startswith=scope.unit.path)
    figures = rows.aggregate(
        waiting=Count("pk"),
        late=Count("pk", filter=Q(submitted_at__lt=late_before)),
        oldest=Min("submitted_at"),
    )
    return {**figures, "target_hours": review_target_hours()}
