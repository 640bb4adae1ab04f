"""Demo practice work for `seed_demo`: submissions of Demo Agency learners in every state on
the starter courses' practice tasks, and the practice step passed for every demo learner whose
other steps of such a course are done (so "completed" demo learners stay completed).

trainer@demo.gov is Demo Agency's named reviewer of "protecting-sensitive-information", and
one of its submissions was handed in longer ago than the review target: the reviewer's queue
shows it first, the dashboard counts it late, and reminders' scan (every minute under `make
run`) sends trainer@demo.gov the late-review reminder.

Built through the services (learning's and practice's), so events, notifications and
certificates are real; only the late submission's hand-in time is moved back afterwards.
Idempotent: a learner who already has a submission for a task is left as they are, and the
reviewers are named once.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Membership, Role
from courses.models import Course
from learning import services as learning_services
from learning.content import outline
from learning.models import Enrollment, LessonProgress

from . import services
from .models import CourseReviewer, Submission
from .selectors import review_target_hours

DRAFT_TEXT = (
    "Summarize the appeal of [the claimant] (identifiers removed). They say their claim was "
    "denied after a recent illness and that a relative now cares for them."
)
ANSWER = (
    "Rewritten prompt:\n\nSummarize an appeal in which the claimant says their benefits claim "
    "was denied after a serious illness, and that a family member now cares for them. Draft a "
    "reply explaining the next steps.\n\nChanges: removed the name, SSN, date of birth and "
    "address (direct identifiers); replaced the claim number, the month and the daughter's "
    "employer (indirect identifiers) with general words.\n\nJudgement: the appeal holds health "
    "information covered by the Privacy Act; I would use the approved tool only with this "
    "de-identified version."
)
MEMO_ANSWER = (
    "1. “Fell 18%”: from $489,000 to $412,000 is a fall of 15.7%. Corrected: travel costs fell "
    "about 16%, to $412,000.\n2. Section 3.2 requires economy only for flights under 14 hours.\n"
    "3. Section 4.1 requires written approval for any lodging above per diem, up to 300%.\n"
    "4. No Inspector General report on travel exists this year: I could not verify it, so the "
    "sentence comes out until someone finds a source."
)
# (course slug, state): one submission in each state on Demo Agency's queue, each by a Demo
# Agency learner not yet enrolled in that course; learner@demo.gov keeps a draft.
PLAN = [
    ("protecting-sensitive-information", "late"),  # waiting longer than the review target
    ("protecting-sensitive-information", "claimed"),
    ("checking-ai-output", "returned"),
    ("checking-ai-output", "passed"),
    ("checking-ai-output", "submitted"),
]
NAMED = ("learner@demo.gov", "protecting-sensitive-information", "draft")
AGENCY = "demo-agency"
REVIEWER = "trainer@demo.gov"
# The course whose reviewers Demo Agency names (REVIEWER alone), named by its agency admin.
NAMED_REVIEWERS = ("protecting-sensitive-information", "agencyadmin@demo.gov")


def _top_levels(task, *, passing: bool) -> dict:
    return {c["key"]: str(len(c["levels"]) - 1 if passing else 0) for c in task["rubric"]}


def _advance(enrollment, key, state, reviewer) -> None:
    answer = MEMO_ANSWER if key == "check-a-memo" else ANSWER
    text = DRAFT_TEXT if state == "draft" else answer
    submission, _conflict = services.submission_save_draft(
        enrollment=enrollment, task_key=key, text=text, base_version=None
    )
    if state == "draft":
        return
    services.submission_submit(
        enrollment=enrollment, task_key=key, text=text, base_version=submission.draft_version
    )
    if state == "late":
        # Handed in a day longer ago than the target: late for the queue, the dashboard and
        # the reminders (the learning event keeps the seeding time).
        hours = review_target_hours(enrollment.agency_id) + 24
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=timezone.now() - timedelta(hours=hours)
        )
    if state in ("submitted", "late"):
        return
    services.submission_claim(reviewer=reviewer, submission_id=submission.pk)
    if state == "claimed":
        return
    task = services.task_for(enrollment, key)
    services.submission_review(
        reviewer=reviewer,
        submission_id=submission.pk,
        levels=_top_levels(task, passing=state == "passed"),
        comments={task["rubric"][0]["key"]: "See the feedback below."},
        comment="Thank you. " + ("Well done." if state == "passed" else "Have another go."),
    )


def _fresh_learner(course, taken: set):
    """A Demo Agency learner (not a bulk one, not learner@demo.gov) not enrolled in the course."""
    return (
        User.objects.filter(
            membership__agency__slug=AGENCY,
            membership__role=Role.LEARNER,
            membership__is_active=True,
        )
        .exclude(email__startswith="bulk")
        .exclude(email=NAMED[0])
        .exclude(pk__in=taken)
        .exclude(enrollments__course=course)
        .order_by("email")
        .first()
    )


def _reviewer(enrollment, reviewers: dict):
    """Who grades the enrollment's work: a reviewer its agency named for the course, else the
    agency's trainer or admin given."""
    named = (
        CourseReviewer.objects.filter(
            agency_id=enrollment.agency_id, course_id=enrollment.course_id
        )
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    return named.user if named else reviewers[enrollment.agency_id]


def _name_reviewers() -> int:
    """Name REVIEWER the reviewer of NAMED_REVIEWERS' course in Demo Agency, unless that
    agency named reviewers for it already; returns how many were named."""
    slug, admin_email = NAMED_REVIEWERS
    agency = Agency.objects.filter(slug=AGENCY).first()
    course = Course.objects.filter(slug=slug, current_version__isnull=False).first()
    admin = User.objects.filter(email=admin_email).first()
    reviewer = User.objects.filter(email=REVIEWER).first()
    if None in (agency, course, admin, reviewer):
        return 0
    if CourseReviewer.objects.filter(agency=agency, course=course).exists():
        return 0
    return len(
        services.course_reviewers_set(
            actor=admin, agency=agency, course=course, user_ids=[reviewer.pk]
        )
    )


def _pass_finished(reviewers: dict) -> int:
    """Pass the practice step of every enrollment whose other steps are all done."""
    passed = 0
    enrollments = Enrollment.objects.filter(completed_at__isnull=True).select_related(
        "version", "course", "agency"
    )
    for enrollment in enrollments:
        plan = outline(enrollment.version.snapshot)
        if not plan.practice or enrollment.agency_id not in reviewers:
            continue
        done = set(
            LessonProgress.objects.filter(
                enrollment=enrollment, period=enrollment.period
            ).values_list("lesson_key", flat=True)
        )
        if not set(plan.lessons) <= done or enrollment.progress_percent < 99:
            continue
        for key in plan.practice:
            if not Submission.objects.filter(
                enrollment=enrollment, period=enrollment.period, task_key=key
            ).exists():
                _advance(enrollment, key, "passed", _reviewer(enrollment, reviewers))
                passed += 1
    return passed


def seed_practice() -> dict:
    """Seed the demo's practice work; returns {"submissions": n new, "passed": n steps,
    "reviewers": n named}."""
    reviewers = {
        m.agency_id: m.user
        for m in Membership.objects.filter(
            role__in=[Role.TRAINER, Role.AGENCY_ADMIN], is_active=True
        )
        .select_related("user")
        .order_by("-role", "user__email")
    }
    trainer = User.objects.filter(email=REVIEWER).first()
    report = {"submissions": 0, "passed": 0, "reviewers": 0}
    with transaction.atomic():
        report["passed"] = _pass_finished(reviewers)
        report["reviewers"] = _name_reviewers()
        taken: set = set()
        named = User.objects.filter(email=NAMED[0]).first()
        if Submission.objects.filter(user=named).exists():
            return report  # seeded before: learner@demo.gov's draft comes first
        for slug, state in [NAMED[1:], *PLAN]:
            course = Course.objects.filter(slug=slug, current_version__isnull=False).first()
            if course is None or trainer is None:
                continue
            user = named if state == "draft" else _fresh_learner(course, taken)
            if user is None:
                continue
            taken.add(user.pk)
            enrollment = learning_services.enrollment_create(user=user, course=course)
            for key in outline(enrollment.version.snapshot).practice:
                if Submission.objects.filter(
                    enrollment=enrollment, period=enrollment.period, task_key=key
                ).exists():
                    continue
                _advance(enrollment, key, state, trainer)
                report["submissions"] += 1
    return report
