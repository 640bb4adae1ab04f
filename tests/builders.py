"""Functions that build test state, shared by every test package.

They go through the services (courses, learning) as the house rules ask, except the bulk
builders, which insert rows in bulk and then repair what the services would have kept in step.
factory-boy factories stay in tests/factories.py; fixtures in the conftest.py files.
"""

from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import User
from agencies.models import Membership, Role
from courses import services as course_services
from courses.bundles import bundle_import
from courses.models import QuestionType
from learning import services as learning_services
from learning.content import correct_keys, outline, questions_by_key
from reports.services.recompute import member_counts_recompute

from .factories import MembershipFactory, UserFactory

CONTENT = Path(settings.BASE_DIR) / "content"


# --- people --------------------------------------------------------------------------------


def make_member(agency, role=Role.LEARNER, unit=None, email=None, **user_kwargs):
    """A user with an active membership of `agency` (in `unit`, with `role`)."""
    user = UserFactory(**({"email": email} if email else {}), **user_kwargs)
    MembershipFactory(user=user, agency=agency, unit=unit, role=role)
    return user


def bulk_members(agency, units, count, prefix="bulk"):
    """`count` learners spread over `units`, created in three bulk inserts."""
    User.objects.bulk_create(
        User(email=f"{prefix}{n}@{agency.slug}.gov", full_name=f"Person {n}") for n in range(count)
    )
    users = list(User.objects.filter(email__startswith=prefix).order_by("pk"))
    Membership.objects.bulk_create(
        Membership(user=u, agency=agency, unit=units[i % len(units)], role=Role.LEARNER)
        for i, u in enumerate(users)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    # Bulk inserts skip the membership services: rebuild the member counts, as bulk writers do.
    member_counts_recompute(agency_id=agency.pk)
    return users


# --- courses -------------------------------------------------------------------------------


def build_course(actor, agency, *, slug="intro-ai", title="Intro to AI", publish=False, **kw):
    """A publishable course: two modules, three lessons, a module quiz with three questions."""
    c = course_services
    course = c.course_create(
        actor=actor,
        agency=agency,
        title=title,
        slug=slug,
        summary="What AI is, for everyone.",
        level="beginner",
        estimated_minutes=30,
        topics=["ai-basics"],
        outcomes=["Explain AI"],
        **kw,
    )
    first = c.module_create(actor=actor, course=course, title="Basics")
    second = c.module_create(actor=actor, course=course, title="Practice")
    c.lesson_create(
        actor=actor,
        module=first,
        title="What is AI",
        key="what-is-ai",
        body="# What is AI\n\nSoftware that *learns*.",
        estimated_minutes=5,
    )
    c.lesson_create(
        actor=actor,
        module=first,
        title="History",
        key="history",
        body="Some **history**.",
        estimated_minutes=5,
    )
    c.lesson_create(
        actor=actor,
        module=second,
        title="Prompts",
        key="prompts",
        body="Write clear prompts.",
        estimated_minutes=10,
    )
    quiz = c.quiz_create(
        actor=actor,
        course=course,
        module=second,
        title="Check",
        key="check",
        pass_mark=60,
        questions_per_attempt=2,
    )
    c.question_create(
        actor=actor,
        quiz=quiz,
        key="q-one",
        type=QuestionType.SINGLE,
        prompt="Pick **A**",
        explanation="A is right.",
        choices=[{"text": "A", "is_correct": True}, {"text": "B", "is_correct": False}],
    )
    c.question_create(
        actor=actor,
        quiz=quiz,
        key="q-two",
        type=QuestionType.MULTIPLE,
        prompt="Pick A and C",
        choices=[
            {"text": "A", "is_correct": True},
            {"text": "B", "is_correct": False},
            {"text": "C", "is_correct": True},
        ],
    )
    c.question_create(
        actor=actor,
        quiz=quiz,
        key="q-three",
        type=QuestionType.TRUE_FALSE,
        prompt="AI is magic.",
        choices=[{"text": "True", "is_correct": False}, {"text": "False", "is_correct": True}],
    )
    if publish:
        c.course_publish(actor=actor, course=course)
        course.refresh_from_db()
    return course


def simple_course(actor, agency, *, slug, title, **kw):
    """A published course of one module with two lessons ("one", "two") and no quiz (`kw`:
    more course settings, like `validity_months`)."""
    course = course_services.course_create(
        actor=actor,
        agency=agency,
        title=title,
        slug=slug,
        summary="s",
        level="beginner",
        estimated_minutes=10,
        topics=[],
        outcomes=[],
        **kw,
    )
    module = course_services.module_create(actor=actor, course=course, title="Only")
    for key in ("one", "two"):
        course_services.lesson_create(
            actor=actor,
            module=module,
            title=key.title(),
            key=key,
            body="Text.",
            estimated_minutes=5,
        )
    course_services.course_publish(actor=actor, course=course)
    course.refresh_from_db()
    return course


def starter_course(slug="genai-fundamentals"):
    """One of the starter courses of content/, imported and published as a platform course."""
    return bundle_import(CONTENT / slug, actor=None, agency=None, publish=True)


# --- learning ------------------------------------------------------------------------------


def quiz_of(attempt):
    return outline(attempt.version.snapshot).quizzes[attempt.quiz_key]


def right_answers(attempt) -> dict:
    questions = questions_by_key(quiz_of(attempt))
    return {
        d["question_key"]: sorted(correct_keys(questions[d["question_key"]])) for d in attempt.drawn
    }


def wrong_answers(attempt) -> dict:
    questions = questions_by_key(quiz_of(attempt))
    out = {}
    for d in attempt.drawn:
        right = correct_keys(questions[d["question_key"]])
        out[d["question_key"]] = [next(k for k in d["choice_keys"] if k not in right)]
    return out


def complete_lesson(enrollment, key):
    return learning_services.lesson_complete(enrollment=enrollment, lesson_key=key)


def finish_course(enrollment):
    """Complete every lesson and pass every quiz through the services."""
    plan = outline(enrollment.version.snapshot)
    for key in plan.lessons:
        learning_services.lesson_complete(enrollment=enrollment, lesson_key=key)
    for key in plan.quizzes:
        attempt = learning_services.attempt_start(enrollment=enrollment, quiz_key=key)
        learning_services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    enrollment.refresh_from_db()
    return enrollment


def posted_answers(attempt, answers: dict) -> dict:
    """Answers as the attempt page posts them: `q-<question key>` fields holding the attempt's
    opaque choice values (learning/choices.py), never the choice keys themselves."""
    from learning.choices import choice_token

    return {
        f"q-{question}": [
            choice_token(attempt.pk, question, key)
            for key in ([keys] if isinstance(keys, str) else keys)
        ]
        for question, keys in answers.items()
    }


def with_live_steps(course, *titles):
    """Give the course's published version live-session steps ({key, title} in its first
    module's `live_sessions`), as a version's snapshot holds them: the studio does not author
    them yet (see docs/events.md), so tests write the snapshot."""
    version = course.current_version
    snapshot = version.snapshot
    snapshot["modules"][0]["live_sessions"] = [
        {"key": f"live-{i}", "title": title} for i, title in enumerate(titles, start=1)
    ]
    type(version).objects.filter(pk=version.pk).update(snapshot=snapshot)
    version.refresh_from_db()
    course.refresh_from_db()
    return course


def practice_task(**overrides) -> dict:
    """A valid practice task dict (content shape): text answer, two criteria, pass mark 3/4."""
    return {
        "key": "rewrite-prompt",
        "title": "Rewrite a prompt",
        "brief": "Rewrite the prompt **without** personal data.",
        "hand_in": "text",
        "file_types": [],
        "max_file_mb": 5,
        "pass_mark": 3,
        "resubmissions": 1,
        "anonymous_review": False,
        "rubric": [
            {
                "key": "removed",
                "title": "Personal data removed",
                "levels": [
                    {"points": 0, "descriptor": "Some remains"},
                    {"points": 2, "descriptor": "All removed"},
                ],
            },
            {
                "key": "justified",
                "title": "Each change justified",
                "levels": [
                    {"points": 0, "descriptor": "No reasons"},
                    {"points": 1, "descriptor": "Some reasons"},
                    {"points": 2, "descriptor": "Every change explained"},
                ],
            },
        ],
        **overrides,
    }


def with_practice_task(actor, course, **overrides):
    """Add a practice task (see `practice_task`) to the course's first module and republish."""
    module = course.modules.first()
    course_services.practice_task_save(actor=actor, module=module, data=practice_task(**overrides))
    course_services.course_publish(actor=actor, course=course)
    course.refresh_from_db()
    return course
