"""Demo progress for `seed_demo`: realistic learner states across the starter curriculum.

Built through the learning services, so every event, certificate and score is real. Idempotent:
a learner who already has an enrollment is left as they are.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Membership, Role
from courses.models import Course, Status

from . import services
from .content import correct_keys, outline, questions_by_key
from .expiry import add_months
from .models import Certificate, Enrollment

# learner@demo.gov: one completed (after a failed attempt), one in progress, one assigned and
# not started; every other starter course is left untouched for the browser journey.
NAMED_PLAN = {
    "learner@demo.gov": [
        ("genai-fundamentals", "complete_after_fail"),
        ("effective-prompts", "in_progress"),
        ("protecting-sensitive-information", "assigned"),
    ],
    "learner@other-demo.gov": [("genai-fundamentals", "in_progress")],
}
STATES = [
    "none",
    "not_started",
    "in_progress",
    "complete",
    "failed",
    "complete_after_fail",
    "assigned_overdue",
]


def _answers(attempt, *, right: bool) -> dict:
    quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
    questions = questions_by_key(quiz)
    out = {}
    for d in attempt.drawn:
        correct = correct_keys(questions[d["question_key"]])
        out[d["question_key"]] = (
            sorted(correct) if right else [next(k for k in d["choice_keys"] if k not in correct)]
        )
    return out


def _take_quizzes(enrollment, *, fail_first: bool, pass_: bool = True) -> None:
    for key in outline(enrollment.version.snapshot).quizzes:
        if fail_first or not pass_:
            attempt = services.attempt_start(enrollment=enrollment, quiz_key=key)
            services.attempt_submit(attempt=attempt, answers=_answers(attempt, right=False))
        if pass_:
            attempt = services.attempt_start(enrollment=enrollment, quiz_key=key)
            services.attempt_submit(attempt=attempt, answers=_answers(attempt, right=True))


def _apply(user, course, state, rng) -> None:
    if state == "none":
        return
    today = timezone.localdate()
    required = state in ("assigned", "assigned_overdue")
    due = (
        today + datetime.timedelta(days=14)
        if state == "assigned"
        else today - datetime.timedelta(days=3)
        if state == "assigned_overdue"
        else None
    )
    enrollment = services.enrollment_create(user=user, course=course, required=required, due_on=due)
    lessons = list(outline(enrollment.version.snapshot).lessons)
    if state in ("in_progress", "assigned_overdue", "failed"):
        done = lessons[: max(1, len(lessons) // 2 if state != "failed" else len(lessons))]
        for key in done[: rng.randint(1, len(done))] if state != "failed" else done:
            services.lesson_complete(enrollment=enrollment, lesson_key=key)
        services.enrollment_visit(enrollment=enrollment, lesson_key=done[0])
        if state == "failed":
            _take_quizzes(enrollment, fail_first=False, pass_=False)
    elif state in ("complete", "complete_after_fail"):
        for key in lessons:
            services.lesson_complete(enrollment=enrollment, lesson_key=key)
        _take_quizzes(enrollment, fail_first=state == "complete_after_fail")


def seed_learning(*, seed: int = 2024) -> dict:
    """Give the demo learners progress; returns {"learners": n seeded, "skipped": n}."""
    courses = {
        c.slug: c
        for c in Course.objects.filter(status=Status.PUBLISHED, owner__isnull=True).select_related(
            "current_version"
        )
    }
    if not courses:
        return {"learners": 0, "skipped": 0}
    enrolled = set(Enrollment.objects.values_list("user_id", flat=True).distinct())
    members = (
        Membership.objects.filter(role=Role.LEARNER, is_active=True)
        .exclude(user__email__startswith="bulk")
        .select_related("user", "agency")
        .order_by("user__email")
    )
    report = {"learners": 0, "skipped": 0}
    for index, membership in enumerate(members):
        user: User = membership.user
        if user.pk in enrolled:
            report["skipped"] += 1
            continue
        rng = random.Random(f"{seed}:{user.email}")
        plan = NAMED_PLAN.get(user.email)
        if plan is None:
            language = membership.agency.default_language
            pool = sorted(
                s for s, c in courses.items() if c.current_version.language == language
            ) or sorted(courses)
            picks = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            plan = [(slug, STATES[(index + n) % len(STATES)]) for n, slug in enumerate(picks)]
        with transaction.atomic():
            for slug, state in plan:
                if slug in courses:
                    _apply(user, courses[slug], state, rng)
        report["learners"] += 1
    return report


# A course that must be renewed every year (its bundle sets `validity_months: 12`): one demo
# learner's certificate expires in 20 days (reminders' seeder then assigns the refresher), and
# another's expired a month ago (it counts as not compliant on the dashboard).
EXPIRING_COURSE = "protecting-sensitive-information"
EXPIRY_DEMO = (("expiring", 20), ("expired", -30))  # (what, days from today to the expiry)


def seed_certificate_expiry() -> int:
    """Two Demo Agency learners who completed the yearly course long ago (their completion
    and certificate moved back, as the report history does); returns how many were seeded.
    Idempotent: once the course has a certificate issued more than 300 days ago, nothing."""
    course = Course.objects.filter(slug=EXPIRING_COURSE, status=Status.PUBLISHED).first()
    if course is None or not course.current_version.snapshot.get("validity_months"):
        return 0
    now = timezone.now()
    old = now - datetime.timedelta(days=300)
    if Certificate.objects.filter(issued_for__course=course, issued_at__lt=old).exists():
        return 0
    members = list(
        Membership.objects.filter(agency__slug="demo-agency", role=Role.LEARNER, is_active=True)
        .exclude(user__email__in=NAMED_PLAN)
        .exclude(user__enrollments__course=course)
        .select_related("user")
        .order_by("user__email")[: len(EXPIRY_DEMO)]
    )
    months = course.current_version.snapshot["validity_months"]
    for membership, (_what, days) in zip(members, EXPIRY_DEMO, strict=False):
        with transaction.atomic():
            enrollment = services.enrollment_create(
                user=membership.user, course=course, required=True
            )
            plan = outline(enrollment.version.snapshot)
            for key in plan.lessons:
                services.lesson_complete(enrollment=enrollment, lesson_key=key)
            _take_quizzes(enrollment, fail_first=False)
            # A year ago a reviewer passed their practice task (the practice app's demo shows
            # reviews; these two only need the course completed).
            for key, task in plan.practice.items():
                services.practice_pass(
                    enrollment=enrollment,
                    task_key=key,
                    result={"attempt": 1, "points": task.get("pass_mark")},
                )
            expires = now + datetime.timedelta(days=days)
            issued = add_months(expires, -months)
            Enrollment.objects.filter(pk=enrollment.pk).update(
                completed_at=issued, started_at=issued - datetime.timedelta(days=1)
            )
            Certificate.objects.filter(enrollment=enrollment).update(
                issued_at=issued, expires_at=expires
            )
    services.certificates_expire()
    return len(members)
