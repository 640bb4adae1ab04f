"""Reads for the learner's pages, scoped to the acting user, in a bounded number of queries."""

from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext

from academy.prepared import prepared
from agencies.access import actor_for, agency_today, scope_q
from courses.models import ShowAnswers
from courses.registries import CourseAction, LearnerCourseState
from courses.selectors import audience_catalog
from courses.services.content import lesson_with_file_urls, snapshot_attachment

from . import my_learning_reads as reads
from .choices import choice_token
from .compiled import lessons_done_and_quizzes_passed
from .content import (
    correct_keys,
    outline,
    question_credit,
    questions_by_key,
    step_is_done,
    version_outline,
)
from .models import Certificate, Enrollment, EnrollmentStatus, QuizAttempt
from .registries import step_kinds
from .services import attempt_is_expired


def is_enrolled(user, slug: str) -> bool:
    return Enrollment.objects.filter(user_id=user.pk, course__slug=slug).exists()


def _status_tags() -> dict[str, str]:
    return {
        EnrollmentStatus.NOT_STARTED: gettext("Enrolled"),
        EnrollmentStatus.IN_PROGRESS: gettext("In progress"),
        EnrollmentStatus.COMPLETED: gettext("Completed"),
    }


@prepared(user_id=int)
def _course_statuses(*, user_id):
    # No ORDER BY (the model's ordering): the tags are a mapping, a sort would be wasted.
    return Enrollment.objects.filter(user_id=user_id).order_by().values_list("course_id", "status")


def course_learner_tags(user, course_ids) -> dict[int, str]:
    """The catalog tag (`course_learner_states`' words) of each of `course_ids` the user is
    enrolled in: one query of a fixed shape, compiled once per process (the learner's
    enrollments are few; a list of ids would change the SQL's shape)."""
    if not user.is_authenticated:
        return {}
    tags, wanted = _status_tags(), set(course_ids)
    return {
        course_id: tags[status]
        for course_id, status in _course_statuses(user_id=user.pk)
        if course_id in wanted and status in tags
    }


def course_learner_states(user, courses) -> dict[int, LearnerCourseState]:
    """For each of `courses`: "Enroll" (a POST) where the user is not enrolled; the tag
    "Enrolled" and "Start", or "In progress" and "Continue", where enrolled; "Completed" and
    "Review" where completed. Nothing for signed-out visitors. One query whatever the number of courses."""
    if not user.is_authenticated:
        return {}
    statuses = dict(
        Enrollment.objects.filter(
            user_id=user.pk, course_id__in=[c.pk for c in courses]
        ).values_list("course_id", "status")
    )
    tags = _status_tags()
    states = {}
    for course in courses:
        status = statuses.get(course.pk)
        if status is None:
            url = reverse("learning:enroll", args=[course.slug])
            action = CourseAction(gettext("Enroll"), url, post=True)
        elif status == EnrollmentStatus.COMPLETED:
            action = CourseAction(gettext("Review"), reverse("learning:resume", args=[course.slug]))
        else:
            # Same words as the learner's home: "Start" until a lesson was opened.
            label = gettext("Start" if status == EnrollmentStatus.NOT_STARTED else "Continue")
            action = CourseAction(label, reverse("learning:resume", args=[course.slug]))
        states[course.pk] = LearnerCourseState(tag=tags.get(status, ""), action=action)
    return states


def my_learning(user, *, with_paths: bool = True) -> dict:
    """The learner's home: assigned (by due date, overdue marked), in progress, completed
    (with certificates), then catalog suggestions, and (`with_paths`) learning paths with
    their completion. Plain rows (attributes: the keys of ENROLLMENT_FIELDS, plus
    `is_completed` and `is_overdue`; suggestions and paths as dicts), no model instances.
    Two queries (three with paths) whatever the numbers, each compiled once per process
    (learning.my_learning_reads).

    `key`: every value the rows were made from (the rows as read and the agency's date), so
    that markup rendered from these rows, the language, the time zone and the URL prefix can
    be cached under it (learning.views.my_learning_response)."""
    actor = actor_for(user)
    today = agency_today(user)
    assigned, in_progress, completed = [], [], []
    rows = reads.enrollment_rows(user_id=user.pk)
    for row in rows:
        e = SimpleNamespace(**dict(zip(reads.ENROLLMENT_FIELDS, row, strict=True)))
        e.is_completed = e.status == EnrollmentStatus.COMPLETED
        e.is_overdue = bool(e.due_on and e.due_on < today and not e.is_completed)
        if e.is_completed:
            completed.append(e)
        elif e.required:
            assigned.append(e)
        else:
            in_progress.append(e)
    assigned.sort(key=lambda e: (e.due_on is None, e.due_on or today, e.title))
    in_progress.sort(key=lambda e: (e.status != EnrollmentStatus.IN_PROGRESS, e.title))
    completed.sort(key=lambda e: e.completed_at, reverse=True)
    suggested, path_rows = _suggestions_and_paths(user, actor, rows, with_paths=with_paths)
    return {
        "assigned": assigned,
        "in_progress": in_progress,
        "completed": completed,
        "suggestions": [
            {"slug": slug, "title": title, "minutes": minutes} for slug, title, minutes in suggested
        ],
        "paths": [
            {
                "title": title,
                "total": total,
                "done": done,
                "complete": bool(total) and done == total,
                "percent": round(100 * done / total) if total else 0,
            }
            for title, total, done in path_rows
        ],
        "key": (today, tuple(rows), tuple(suggested), tuple(path_rows)),
    }


def _suggestions_and_paths(user, actor, rows, *, with_paths: bool) -> tuple[list, list]:
    """My learning's suggestions and (`with_paths`) paths with the learner's progress, from
    the audience's catalog kept per process (courses.selectors.audience_catalog) and the
    learner's enrollment rows; read from the database when the catalog cannot be used."""
    catalog = audience_catalog(user)
    suggested = paths = None
    if catalog is not None:
        suggested = reads.suggestions_from_catalog(catalog, rows)
        if with_paths:
            paths = reads.path_progress_from_catalog(catalog, rows)
    if suggested is None:
        suggested = reads.suggestion_rows(actor, user.pk)
    if paths is None:
        paths = reads.path_progress_rows(actor, user.pk) if with_paths else []
    return suggested, paths


def _done(enrollment) -> tuple[set, set]:
    """The keys of the lessons done and of the quizzes passed in this period (one query, built
    once per process: learning.compiled; none when the enrollment was read with them)."""
    read = getattr(enrollment, "done_keys", None)
    if read is not None and read[0] == enrollment.period:
        return read[1], read[2]
    return lessons_done_and_quizzes_passed(enrollment.pk, enrollment.period)


def course_player(
    enrollment: Enrollment,
    *,
    kind: str = "lesson",
    key: str = "",
    done: tuple[set, set] | None = None,
    plan=None,
) -> dict | None:
    """Navigation (modules with lessons and quizzes, done and current marked, each with its
    URL and label prefix from its registered step kind), previous and next, and the current
    lesson or quiz; None if the key is not in the version. One query, none when `done` (the
    lessons done and quizzes passed, as `_done` reads them) is given."""
    plan = plan or outline(enrollment.version.snapshot)
    index = plan.step_index(kind, key)
    if index is None:
        return None
    lessons, passed = done if done is not None else _done(enrollment)
    slug = enrollment.course.slug
    for i, step in enumerate(plan.steps):
        step_kind = step_kinds[step["kind"]]
        step["url"] = step_kind.url(slug, step["key"])
        step["prefix"] = step_kind.nav_prefix
        step["done"] = step_is_done(step, lessons, passed)
        step["current"] = i == index
    remaining = sum(
        s["minutes"] or 0 for s in plan.steps if s["kind"] == "lesson" and not s["done"]
    )
    left = [s for s in plan.steps if not s["done"]]
    return {
        "enrollment": enrollment,
        "modules": plan.modules,
        "step": plan.steps[index],
        "lesson": _lesson_linked(slug, plan.lessons[key]) if kind == "lesson" else None,
        "previous": plan.steps[index - 1] if index > 0 else None,
        "next": plan.steps[index + 1] if index + 1 < len(plan.steps) else None,
        "position": index + 1,
        "total": len(plan.steps),
        "minutes_left": remaining,
        "complete_at_end": bool(enrollment.version.snapshot.get("complete_lessons_at_end")),
        # What still stands between the learner and completion (the rule shown in the player):
        # every lesson marked as done and every quiz passed.
        "left_lessons": [s for s in left if s["kind"] == "lesson"],
        "left_quizzes": [s for s in left if s["kind"] == "quiz"],
        "left_other": [s for s in left if s["kind"] not in ("lesson", "quiz")],
    }


def lesson_page(enrollment: Enrollment, *, key: str) -> dict | None:
    """The lesson page of the learner's version, or None if the key is not a lesson of it.

    Returns what the page around the player reads (`lesson`, `step_done`, `complete_at_end`)
    and `page_key`, every value it depends on besides the language and the request;
    `player_key`: every value the player's markup depends on besides the language and the
    CSRF token (the version, the course's slug, the lesson, the lessons done and quizzes passed,
    the course's completion and progress), and `player()`: course_player's context, built only
    when the player must be rendered (learning.views.lesson caches it per process under
    `player_key`). One query (the lessons done and quizzes passed), none when the enrollment
    was read with them (learning.compiled, the lesson page's lookup).
    """
    plan = version_outline(enrollment.version)  # read only: maybe the process's shared one
    lesson = plan.lessons.get(key)
    if lesson is None:
        return None
    lessons, passed = _done(enrollment)
    version = enrollment.version
    # The process's serial number of a shared version's row (learning.compiled): a version
    # re-rendered in place (manage.py rerender_versions) is a new one, so new fragments.
    row = getattr(version, "row_serial", None)
    return {
        "enrollment": enrollment,
        "lesson": lesson,
        "step_done": key in lessons,
        "complete_at_end": bool(version.snapshot.get("complete_lessons_at_end")),
        "player_key": (
            version.pk,
            version.content_hash,
            version.published_at.isoformat(),
            row,
            enrollment.course.slug,
            key,
            tuple(sorted(lessons)),
            tuple(sorted(passed)),
            enrollment.is_completed,
            enrollment.progress_percent,
        ),
        # Every value the page around the player depends on, besides the language.
        "page_key": (
            version.pk,
            version.content_hash,
            version.published_at.isoformat(),
            row,
            key,
            key in lessons,
        ),
        "player": lambda: course_player(
            enrollment, kind="lesson", key=key, done=(lessons, passed)
        ),  # its own outline: course_player marks the steps
    }


def _lesson_linked(slug: str, lesson: dict) -> dict:
    """The lesson with its attachments linked to the learner's file view (`lesson_file`)."""
    return lesson_with_file_urls(
        lesson,
        lambda a: reverse("learning:lesson_file", args=[slug, a["sha256"], a["name"]]),
    )


def lesson_file(enrollment: Enrollment, *, sha256: str, name: str) -> dict | None:
    """An attachment ({name, content_type, file, ...}) of the version the learner is enrolled in,
    or else of the course's current published version; None for anything else (a draft's file,
    another course's). No query, or one when the file is not in the learner's version."""
    found = snapshot_attachment(enrollment.version.snapshot, sha256=sha256, name=name)
    current_id = enrollment.course.current_version_id
    if found is None and current_id is not None and current_id != enrollment.version_id:
        current = enrollment.course.current_version  # the one query
        found = snapshot_attachment(current.snapshot, sha256=sha256, name=name)
    return found


def step_after(enrollment: Enrollment, *, kind: str, key: str) -> dict | None:
    """The step following this one in the course, or None (no query)."""
    plan = outline(enrollment.version.snapshot)
    index = plan.step_index(kind, key)
    if index is None or index + 1 >= len(plan.steps):
        return None
    return plan.steps[index + 1]


def resume_target(enrollment: Enrollment) -> dict | None:
    """Where "Continue" goes: the last lesson opened while it is not done, else the first step
    not yet done (after a module's quiz, the next module rather than the lesson before it)."""
    plan = outline(enrollment.version.snapshot)
    lessons, passed = _done(enrollment)
    last = enrollment.last_lesson_key
    if last in plan.lessons and last not in lessons and not enrollment.is_completed:
        return {"kind": "lesson", "key": last}
    for step in plan.steps:
        if not step_is_done(step, lessons, passed):
            return {"kind": step["kind"], "key": step["key"]}
    return {"kind": plan.steps[0]["kind"], "key": plan.steps[0]["key"]} if plan.steps else None


def quiz_overview(enrollment: Enrollment, quiz_key: str) -> dict | None:
    """The quiz's rules and the learner's attempts at it; None if not in the version."""
    quiz = outline(enrollment.version.snapshot).quizzes.get(quiz_key)
    if quiz is None:
        return None
    attempts = list(
        QuizAttempt.objects.filter(
            enrollment=enrollment, period=enrollment.period, quiz_key=quiz_key
        )
        .defer("drawn", "answers")
        .order_by("number")
    )
    for a in attempts:
        a.expired = attempt_is_expired(a)
    limit = quiz.get("max_attempts") or 0
    passed = any(a.passed for a in attempts)
    open_attempt = next((a for a in attempts if a.is_open and not a.expired), None)
    used = len(attempts)
    return {
        "quiz": {
            k: quiz.get(k)
            for k in (
                "key",
                "title",
                "pass_mark",
                "max_attempts",
                "questions_per_attempt",
                "time_limit_minutes",
            )
        },
        "attempts": attempts,
        "passed": passed,
        "open_attempt": open_attempt,
        "attempts_left": (limit - used) if limit else None,
        "can_start": open_attempt is None and not passed and (not limit or used < limit),
    }


def attempt_questions(attempt: QuizAttempt, *, answers: dict | None = None) -> list[dict]:
    """The attempt's questions in their drawn order with choices in their drawn order, each
    choice marked `chosen` from `answers` (default: the attempt's saved draft) and each
    question `answered` when it has a choice.

    Carries only what answering needs (prompt, choice keys and texts): never which choices
    are correct, their feedback or the explanation.
    """
    quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
    questions = questions_by_key(quiz)
    if answers is None:
        answers = attempt.answers or {}
    out = []
    for number, d in enumerate(attempt.drawn, start=1):
        q = questions[d["question_key"]]
        texts = {c["key"]: c["text"] for c in q["choices"]}
        chosen = answers.get(q["key"]) or []
        if isinstance(chosen, str):
            chosen = [chosen]
        chosen = {k for k in chosen if k in texts}
        out.append(
            {
                "number": number,
                "key": q["key"],
                "type": q["type"],
                "multiple": q["type"] == "multiple",
                "partial_credit": bool(q.get("partial_credit")),
                "prompt_html": q["prompt_html"],
                "choices": [
                    {
                        "key": k,
                        "token": choice_token(attempt.pk, q["key"], k),
                        "text": texts[k],
                        "chosen": k in chosen,
                    }
                    for k in d["choice_keys"]
                ],
                "answered": bool(chosen),
            }
        )
    return out


def attempt_review(attempt: QuizAttempt) -> dict:
    """The review step before submitting: each question with the learner's saved choices, and
    which questions are still unanswered. No query (reads the attempt's draft)."""
    questions = attempt_questions(attempt)
    unanswered = [q for q in questions if not q["answered"]]
    return {
        "questions": questions,
        "unanswered": unanswered,
        "answered": len(questions) - len(unanswered),
    }


def attempt_result(attempt: QuizAttempt) -> dict:
    """A submitted attempt's score and, as the quiz's show_answers policy allows, per-question
    feedback (correct choices, the learner's choices, choice feedback and explanation)."""
    quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
    policy = quiz.get("show_answers")
    if policy == ShowAnswers.AFTER_PASS and not attempt.passed:
        attempt_passed = QuizAttempt.objects.filter(
            enrollment_id=attempt.enrollment_id,
            period=attempt.period,
            quiz_key=attempt.quiz_key,
            passed=True,
        ).exists()
    else:
        attempt_passed = bool(attempt.passed)
    show = policy == ShowAnswers.AFTER_ATTEMPT or (
        policy == ShowAnswers.AFTER_PASS and attempt_passed
    )
    review = []
    if show:
        questions = questions_by_key(quiz)
        for number, d in enumerate(attempt.drawn, start=1):
            q = questions[d["question_key"]]
            chosen = set(attempt.answers.get(q["key"], []))
            right = correct_keys(q)
            by_key = {c["key"]: c for c in q["choices"]}
            credit = question_credit(q, chosen)
            review.append(
                {
                    "number": number,
                    "prompt_html": q["prompt_html"],
                    "explanation_html": q.get("explanation_html", ""),
                    "is_right": chosen == right,
                    "partial_credit": bool(q.get("partial_credit")),
                    "credit": round(100 * credit) if 0 < credit < 1 else None,
                    "choices": [
                        {
                            "text": by_key[k]["text"],
                            "chosen": k in chosen,
                            "correct": k in right,
                            "feedback": by_key[k].get("feedback", ""),
                        }
                        for k in d["choice_keys"]
                    ],
                }
            )
    return {
        "attempt": attempt,
        "quiz": {"title": quiz["title"], "pass_mark": quiz["pass_mark"], "key": quiz["key"]},
        "show_answers": show,
        "policy": policy,
        "review": review,
    }


def agency_certificates(user, *, search: str = ""):
    """Certificates of the learners the user may see (agency admins: their agency)."""
    qs = (
        Certificate.objects.filter(
            scope_q(
                user,
                agency_field="issued_for__agency",
                unit_path_field="issued_for__unit__path",
                user_field="issued_for__user",
            )
        )
        .select_related("issued_for__course")
        .order_by("-issued_at", "-pk")
    )
    for word in search.split()[:5]:
        qs = qs.filter(learner_name__icontains=word)
    return qs


def certificate_verification(code: str) -> Certificate | None:
    """The public facts of a certificate (name, course, date, agency, expiry, revocation) or
    None."""
    return (
        Certificate.objects.only(
            "code",
            "learner_name",
            "course_title",
            "agency_name",
            "issued_at",
            "expires_at",
            "revoked_at",
        )
        .filter(code=code)
        .first()
    )


def completion_certificate(enrollment: Enrollment) -> Certificate | None:
    """The certificate of the enrollment's current period once it is completed (one query
    then), else None without a query."""
    if not enrollment.is_completed:
        return None
    return Certificate.objects.filter(enrollment_id=enrollment.pk).only("code").first()


def outline_quiz_title(attempt: QuizAttempt) -> str:
    return outline(attempt.version.snapshot).quizzes[attempt.quiz_key]["title"]
