"""Reads for the practice pages, scoped to the acting user."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from agencies.access import actor_for
from courses.models import Course

from .access import reviewable_q, reviewer_courses_q
from .models import CourseReviewer, PracticeSettings, Review, Submission, SubmissionStatus

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


TARGETS_CACHE_KEY = "practice:review-targets"
TARGETS_CACHE_SECONDS = 3600


def default_target_hours() -> int:
    """The platform's review target: PRACTICE_REVIEW_TARGET_HOURS, 72 hours by default."""
    return int(getattr(settings, "PRACTICE_REVIEW_TARGET_HOURS", 72))


def review_targets() -> dict[int, int]:
    """{agency id: review target in hours} of the agencies that set their own (the rest use
    the default). Read from the shared cache (one query on a miss; the settings service drops
    it on every change), so the dashboard and the reminder scan pay no query for it."""
    try:
        targets = cache.get(TARGETS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - an unreachable cache: ask the database
        targets = None
    if targets is None:
        targets = dict(PracticeSettings.objects.values_list("agency_id", "review_target_hours"))
        try:
            cache.set(TARGETS_CACHE_KEY, targets, TARGETS_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return targets


def review_target_hours(agency_id: int | None = None) -> int:
    """How long a submission of the agency may wait for its review before the dashboard flags
    it and its reviewers are reminded: the agency's own target, else the platform's."""
    return review_targets().get(agency_id) or default_target_hours()


def late_q(now) -> Q:
    """Submissions handed in longer ago than their agency's review target (callers add the
    waiting statuses): one range per distinct target, so one query whatever the agencies."""
    default = default_target_hours()
    by_hours: dict[int, list[int]] = {}
    for agency_id, hours in review_targets().items():
        if hours != default:
            by_hours.setdefault(hours, []).append(agency_id)
    custom = [agency_id for ids in by_hours.values() for agency_id in ids]
    late = Q(submitted_at__lt=now - timedelta(hours=default))
    if custom:
        late &= ~Q(agency_id__in=custom)
    for hours, ids in sorted(by_hours.items()):
        late |= Q(agency_id__in=ids, submitted_at__lt=now - timedelta(hours=hours))
    return late


def review_figures(scope) -> dict:
    """The dashboard's practice review figures for a reports DashboardScope (one query):
    submissions waiting for a review (submitted or claimed), those waiting longer than their
    agency's target, and when the oldest was submitted. `target_hours` is the agency's target
    (None across agencies, where each has its own)."""
    rows = Submission.objects.filter(status__in=WAITING)
    if scope.agency is not None:
        rows = rows.filter(agency_id=scope.agency.pk)
    if scope.unit is not None:
        rows = rows.filter(enrollment__unit__path__startswith=scope.unit.path)
    figures = rows.aggregate(
        waiting=Count("pk"),
        late=Count("pk", filter=late_q(timezone.now())),
        oldest=Min("submitted_at"),
    )
    target = review_target_hours(scope.agency.pk) if scope.agency is not None else None
    return {**figures, "target_hours": target}


def reviewer_courses(user) -> list[dict]:
    """The courses with practice tasks whose reviewers the user may name for their agency, each
    with the names of the reviewers named there (empty: every trainer and admin reviews). Two
    queries."""
    actor = actor_for(user)
    courses = list(
        Course.objects.filter(reviewer_courses_q(actor), practice_tasks__isnull=False)
        .distinct()
        .order_by("title", "pk")
        .values("pk", "title")
    )
    named: dict[int, list[str]] = {}
    for course_id, name, email in (
        CourseReviewer.objects.filter(
            agency_id=actor.agency_id, course_id__in=[c["pk"] for c in courses]
        )
        .order_by("user__full_name", "user__email")
        .values_list("course_id", "user__full_name", "user__email")
    ):
        named.setdefault(course_id, []).append(name or email)
    return [{**course, "reviewers": named.get(course["pk"], [])} for course in courses]


def course_reviewer_ids(agency_id: int, course_id: int) -> list[int]:
    """The ids of the reviewers the agency named for the course."""
    return list(
        CourseReviewer.objects.filter(agency_id=agency_id, course_id=course_id).values_list(
            "user_id", flat=True
        )
    )
