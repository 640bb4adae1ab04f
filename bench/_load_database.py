"""The database side of bench/load.py: the learners it prepares before the run, and the checks
after it (what the simulated learners were told against what the database holds, and the
aggregates against a recompute from the enrollments).

Needs Django set up (bench/_setup.py); imports the models only when called."""

import datetime
import io
import logging
import re
import time
from collections import Counter, defaultdict

AGENCY = "demo-agency"
ASSIGNED_COURSE = "genai-fundamentals"


def log(message=""):
    print(message, flush=True)


def prepare_data(users: int) -> dict:
    """Demo world (once) and `users` new learners: every other one assigned a course by the
    agency admin, and half of those (every fourth learner) having read all its lessons on an
    earlier day, so that they resume at its quiz; the rest find a course in the catalog."""
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from agencies.demo import seed_bulk_learners
    from agencies.models import Agency, Membership, Role
    from courses.models import Course
    from learning.content import outline
    from learning.models import Enrollment
    from learning.services import lesson_complete
    from reminders.models import TargetKind
    from reminders.services.assignments import assignment_create

    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)  # the audit log of every seeded action
    try:
        if not Agency.objects.filter(slug=AGENCY).exists():
            call_command("seed_demo", stdout=io.StringIO())
            log(f"Demo world seeded in {time.perf_counter() - clock:.1f} s.")
        agency = Agency.objects.get(slug=AGENCY)
        domain = agency.domains.first().domain
        bulk = User.objects.filter(email__startswith="bulk", email__endswith=f"@{domain}")
        first = bulk.count()
        seed_bulk_learners(agency_slug=AGENCY, count=first + users)
        learners = [f"bulk{n:07d}@{domain}" for n in range(first, first + users)]
        people = list(User.objects.filter(email__in=learners[::2]))
        admin = (
            Membership.objects.filter(agency=agency, role=Role.AGENCY_ADMIN, is_active=True)
            .select_related("user")
            .first()
            .user
        )
        # Materialised at once: CELERY_TASK_ALWAYS_EAGER is set for this process.
        assignment_create(
            actor=admin,
            course=Course.objects.get(slug=ASSIGNED_COURSE),
            target=TargetKind.PEOPLE,
            people=people,
            due_on=datetime.date.today() + datetime.timedelta(days=14),
            required=True,
        )
        read_before = Enrollment.objects.filter(
            user__email__in=learners[::4], course__slug=ASSIGNED_COURSE
        ).select_related("version")
        for enrollment in read_before:
            for key in outline(enrollment.version.snapshot).lessons:
                lesson_complete(enrollment=enrollment, lesson_key=key)
    finally:
        logging.disable(logging.NOTSET)
    log(
        f"{users} new learners ({learners[0]} to {learners[-1]}, password "
        f"{settings.ACADEMY_DEMO_PASSWORD!r}), {len(people)} of them assigned "
        f"{ASSIGNED_COURSE} ({len(read_before)} of those with its lessons read already); "
        f"ready in {time.perf_counter() - clock:.1f} s."
    )
    return {"learners": learners, "password": settings.ACADEMY_DEMO_PASSWORD}


def answer_key() -> dict:
    """{course slug: {question key: [texts of its right choices]}} of every published course:
    what the simulated learners know (they answer right at --right-rate)."""
    from courses.models import Course
    from learning.content import outline

    key = {}
    for course in Course.objects.filter(current_version__isnull=False).select_related(
        "current_version"
    ):
        questions = {}
        for quiz in outline(course.current_version.snapshot).quizzes.values():
            for question in quiz["questions"]:
                questions[question["key"]] = [
                    c["text"] for c in question["choices"] if c["correct"]
                ]
        key[course.slug] = questions
    return key


def learner_state(learners: list[str]) -> dict:
    from learning.models import Enrollment, LessonProgress, QuizAttempt

    return {
        "enrollments": set(
            Enrollment.objects.filter(user__email__in=learners).values_list(
                "user__email", "course__slug"
            )
        ),
        "lessons": set(
            LessonProgress.objects.filter(enrollment__user__email__in=learners).values_list(
                "enrollment__user__email", "enrollment__course__slug", "lesson_key"
            )
        ),
        "attempts": QuizAttempt.objects.filter(enrollment__user__email__in=learners).count(),
        "completed": set(
            Enrollment.objects.filter(user__email__in=learners, status="completed").values_list(
                "user__email", "course__slug"
            )
        ),
    }


def drift_before_run() -> int:
    from reports.services.recompute import aggregates_recompute

    found = aggregates_recompute(repair=False)
    cells = sum(len(d) for d in found.values())
    if cells:
        aggregates_recompute(repair=True)
        log(f"Aggregate drift before the run (from seeding): {cells} cells; repaired.")
    else:
        log("Aggregates before the run: no drift.")
    return cells


class Checks:
    def __init__(self):
        self.results = []

    def __call__(self, name: str, ok: bool, detail: str = "") -> None:
        self.results.append((name, bool(ok), detail))

    def print(self) -> bool:
        log()
        for name, ok, detail in self.results:
            log(f"[{'ok' if ok else 'FAIL'}] {name}{f': {detail}' if detail and not ok else ''}")
        return all(ok for _name, ok, _detail in self.results)


def sample(items, n=5) -> str:
    items = sorted(items, key=str)
    return ", ".join(map(str, items[:n])) + (" ..." if len(items) > n else "")


ACTIONS = {
    "enroll": re.compile(r"^/learn/(?P<course>[^/]+)/enroll/$"),
    "lesson": re.compile(r"^/learn/(?P<course>[^/]+)/lessons/(?P<key>[^/]+)/done/$"),
    "start": re.compile(r"^/learn/(?P<course>[^/]+)/quizzes/(?P<key>[^/]+)/start/$"),
    "submit": re.compile(r"^/learn/attempts/(?P<attempt>\d+)/submit/$"),
}


def unanswered_posts(journal: list) -> dict:
    """{kind: set of what they may have written} of the form posts a learner never got an
    answer to (an error, a timeout, or locust stopping it at the end of the run)."""
    out = defaultdict(set)
    for record in journal:
        if record["t"] != "no_answer":
            continue
        for kind, pattern in ACTIONS.items():
            if m := pattern.match(record["action"]):
                if kind == "submit":
                    out[kind].add(int(m["attempt"]))
                else:
                    key = (m["key"],) if kind != "enroll" else ()
                    out[kind].add((record["user"], m["course"], *key))
                if kind == "lesson":
                    out["course"].add((record["user"], m["course"]))
    return out


def compare(check: Checks, what: str, confirmed: set, written: set, unanswered: set) -> None:
    """What the run wrote against what the learners were told: nothing lost, nothing else
    written, except what a post left without an answer may have done."""
    lost = confirmed - written
    unconfirmed = written - confirmed
    explained = unconfirmed & unanswered
    note = f"; {len(explained)} more for posts left without an answer" if explained else ""
    check(
        f"{what}: the {len(confirmed)} confirmed to a learner are in the database, no other{note}",
        not lost and unconfirmed == explained,
        f"lost {sample(lost)}; written, never confirmed {sample(unconfirmed - explained)}",
    )


def check_database(check: Checks, learners: list[str], before: dict, journal: list) -> None:
    from accounts.models import User
    from learning.content import outline
    from learning.models import (
        Certificate,
        Enrollment,
        EnrollmentStatus,
        LearningEvent,
        LessonProgress,
        QuizAttempt,
        Verb,
    )
    from reports.services.recompute import aggregates_recompute

    told = defaultdict(list)
    for record in journal:
        told[record["t"]].append(record)
    unanswered = unanswered_posts(journal)

    signed_in = {r["user"] for r in told["sign_in"]}
    activated = set(
        User.objects.filter(email__in=signed_in, activated_at__isnull=False).values_list(
            "email", flat=True
        )
    )
    check(
        f"sign-ins: {len(signed_in)} learners signed in, each one activated",
        signed_in == activated,
        sample(signed_in - activated),
    )

    enrollments = list(
        Enrollment.objects.filter(user__email__in=learners).values_list(
            "id", "user__email", "course__slug", "status", "period"
        )
    )
    pairs = Counter((email, slug) for _id, email, slug, _status, _period in enrollments)
    check(
        "enrollments: one per learner and course",
        all(n == 1 for n in pairs.values()),
        sample(p for p, n in pairs.items() if n > 1),
    )
    compare(
        check,
        f"enrollments ({len(before['enrollments'])} assigned before the run)",
        {(r["user"], r["course"]) for r in told["enroll"]},
        set(pairs) - before["enrollments"],
        unanswered["enroll"],
    )

    lessons = Counter(
        LessonProgress.objects.filter(enrollment__user__email__in=learners).values_list(
            "enrollment__user__email", "enrollment__course__slug", "lesson_key", "period"
        )
    )
    in_db = {(email, slug, key) for email, slug, key, _period in lessons}
    check(
        "lessons done: one row per learner, course and lesson",
        all(n == 1 for n in lessons.values()) and len(in_db) == len(lessons),
        sample(k for k, n in lessons.items() if n > 1),
    )
    compare(
        check,
        f"lessons done ({len(before['lessons'])} done before the run)",
        {(r["user"], r["course"], r["lesson"]) for r in told["lesson"]},
        in_db - before["lessons"],
        unanswered["lesson"],
    )

    attempts = list(
        QuizAttempt.objects.filter(enrollment__user__email__in=learners).values(
            "id",
            "enrollment_id",
            "enrollment__user__email",
            "enrollment__course__slug",
            "enrollment__version__snapshot",
            "quiz_key",
            "period",
            "number",
            "submitted_at",
            "score",
            "passed",
            "answers",
            "version__snapshot",
        )
    )
    for a in attempts:
        if a["id"] in unanswered["submit"]:
            unanswered["course"].add((a["enrollment__user__email"], a["enrollment__course__slug"]))
    compare(
        check,
        "quiz attempts started",
        {r["attempt"] for r in told["started"]},
        {a["id"] for a in attempts},
        {
            a["id"]
            for a in attempts
            if (a["enrollment__user__email"], a["enrollment__course__slug"], a["quiz_key"])
            in unanswered["start"]
        },
    )
    submitted = {a["id"]: a for a in attempts if a["submitted_at"] is not None}
    results = defaultdict(list)
    for r in told["attempt"]:
        results[r["attempt"]].append(r)
    compare(check, "quiz attempts submitted", set(results), set(submitted), unanswered["submit"])
    wrong = []
    for attempt_id, records in results.items():
        row = submitted.get(attempt_id)
        if row is None:
            continue
        quiz = outline(row["version__snapshot"]).quizzes[row["quiz_key"]]
        texts = {q["key"]: {c["key"]: c["text"] for c in q["choices"]} for q in quiz["questions"]}
        stored = {
            key: sorted(texts[key].get(c, c) for c in chosen)
            for key, chosen in row["answers"].items()
        }
        for r in records:
            shown = (r["score"], r["passed"], r["expected"])
            if shown != (row["score"], row["passed"], row["score"]):
                wrong.append(
                    f"#{attempt_id} shown {r['score']}% (expected {r['expected']}%), "
                    f"stored {row['score']}%"
                )
            elif r["answers"] != stored:
                wrong.append(f"#{attempt_id} answers differ")
    check(
        "quiz attempts: the score shown is the one stored and the one the answer key gives; "
        "the answers stored are the ones sent",
        not wrong,
        sample(wrong),
    )
    per_quiz = defaultdict(list)
    for a in attempts:
        per_quiz[(a["enrollment_id"], a["period"], a["quiz_key"])].append(a)
    over = []
    for (enrollment_id, _period, quiz_key), rows in per_quiz.items():
        numbers = sorted(a["number"] for a in rows)
        limit = outline(rows[0]["enrollment__version__snapshot"]).quizzes[quiz_key]["max_attempts"]
        open_count = sum(1 for a in rows if a["submitted_at"] is None)
        passes = sum(1 for a in rows if a["passed"])
        if (
            numbers != list(range(1, len(numbers) + 1))
            or (limit and len(numbers) > limit)
            or open_count > 1
            or passes > 1
        ):
            over.append(f"enrollment {enrollment_id} {quiz_key}: {numbers}, limit {limit}")
    check(
        "quiz attempts: numbered 1..n, within the attempt limit, one open at most, "
        "no attempt after a pass",
        not over,
        sample(over),
    )

    completed_db = {
        (email, slug): pk
        for pk, email, slug, status, _period in enrollments
        if status == EnrollmentStatus.COMPLETED
    }
    compare(
        check,
        "completions",
        {(r["user"], r["course"]) for r in told["completed"]},
        set(completed_db) - before["completed"],
        unanswered["course"],
    )
    certificates = Counter(
        Certificate.objects.filter(issued_for_id__in=completed_db.values()).values_list(
            "issued_for_id", flat=True
        )
    )
    check(
        "certificates: exactly one per completion",
        all(certificates[pk] == 1 for pk in completed_db.values()),
        sample(pk for pk in completed_db.values() if certificates[pk] != 1),
    )

    events = Counter()
    for email, verb, slug, key, result in LearningEvent.objects.filter(
        user__email__in=learners
    ).values_list("user__email", "verb", "course__slug", "object_key", "result"):
        attempt = (
            result.get("attempt")
            if verb in (Verb.ATTEMPT_STARTED, Verb.ATTEMPT_SUBMITTED)
            else None
        )
        events[(verb, email, slug, key if verb != Verb.CERTIFICATE_ISSUED else "", attempt)] += 1
    expected = Counter()
    for email, slug, key in in_db:
        expected[(Verb.LESSON_COMPLETED, email, slug, key, None)] += 1
    emails = dict(
        Enrollment.objects.filter(user__email__in=learners).values_list("id", "user__email")
    )
    slugs = dict(
        Enrollment.objects.filter(user__email__in=learners).values_list("id", "course__slug")
    )
    for a in attempts:
        who = (emails[a["enrollment_id"]], slugs[a["enrollment_id"]], a["quiz_key"], a["number"])
        expected[(Verb.ATTEMPT_STARTED, *who)] += 1
        if a["submitted_at"] is not None:
            expected[(Verb.ATTEMPT_SUBMITTED, *who)] += 1
    for email, slug in completed_db:
        expected[(Verb.COURSE_COMPLETED, email, slug, slug, None)] += 1
        expected[(Verb.CERTIFICATE_ISSUED, email, slug, "", None)] += 1
    verbs = {
        Verb.LESSON_COMPLETED,
        Verb.ATTEMPT_STARTED,
        Verb.ATTEMPT_SUBMITTED,
        Verb.COURSE_COMPLETED,
        Verb.CERTIFICATE_ISSUED,
    }
    counted = Counter({k: n for k, n in events.items() if k[0] in verbs})
    twice = [k for k, n in events.items() if k[0] == Verb.ENROLLED and n > 1]
    check(
        "learning events: one per lesson done, attempt started and submitted, completion and "
        "certificate; "
        "at most one 'enrolled' per course",
        counted == expected and not twice,
        f"missing {sample((expected - counted).keys())}; "
        f"extra {sample((counted - expected).keys())}; enrolled twice {sample(twice)}",
    )

    drift = aggregates_recompute(repair=False)
    cells = [f"agency {agency}: {d.table} {d.key}" for agency, ds in drift.items() for d in ds]
    check(
        "dashboard aggregates equal the nightly recompute from the enrollments (not repaired)",
        not cells,
        f"{len(cells)} cells differ: {sample(cells)}",
    )
