"""Late-review recording, every minute from reminders' scan: the run after the first, with a
backlog of late submissions already reminded, before and after the `~Exists` on ReminderLog.

    createdb -h 127.0.0.1 -U postgres academy_fixes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_fixes \\
        .venv/bin/python bench/late_reviews.py --late 2000 --other-logs 200000

Seeds (once) one agency with three reviewers, `--late` learners each with a submission handed
in 80 hours ago (one real one through the services, the others copied in SQL), runs the
recorder once (it logs late x 3 reminders) and adds `--other-logs` unrelated reminder rows.
Then times, alternately, the second run as it was (every late submission read, reviewers
looked up, late x 3 drafts handed to reminders_record, which finds every key known) and as it
is, and prints the medians, the queries of each and the plan of the new query.
"""

import argparse
import statistics
import time
from datetime import timedelta

from _setup import call_command, connection, log  # noqa: F401  (sets Django up)
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

SLUG = "late-bench"


def seed(late: int, other_logs: int):
    import time_machine

    from agencies.models import Agency, Membership, Role
    from learning import services as learning
    from learning.services.bulk import enrollments_assign
    from practice import services
    from practice.services.late_reviews import late_reviews_record
    from tests.builders import bulk_members, make_member, simple_course, with_practice_task
    from tests.factories import AgencyFactory

    call_command("migrate", verbosity=0)
    agency = Agency.objects.filter(slug=SLUG).first()
    if agency is not None:
        log("Data already there; reusing it.")
        return
    clock = time.perf_counter()
    agency = AgencyFactory(name="Late Bench", slug=SLUG, domains=["late-bench.gov"])
    trainer = make_member(agency, Role.TRAINER, email="t1@late-bench.gov")
    make_member(agency, Role.TRAINER, email="t2@late-bench.gov")
    make_member(agency, Role.AGENCY_ADMIN, email="admin@late-bench.gov")
    course = with_practice_task(
        trainer, simple_course(trainer, agency, slug="late-bench", title="Late bench")
    )
    first = make_member(agency, Role.LEARNER, email="learner0@late-bench.gov")
    enrollment = learning.enrollment_create(user=first, course=course)
    with time_machine.travel(timezone.now() - timedelta(hours=80), tick=False):
        services.submission_submit(
            enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=None
        )
    bulk_members(agency, [None], late - 1, prefix="learner-bulk")
    members = list(
        Membership.objects.filter(agency=agency, role=Role.LEARNER)
        .exclude(user=first)
        .values_list("user_id", "unit_id")
    )
    enrollments_assign(
        agency_id=agency.pk, course=course, members=members, required=False, due_on=None
    )
    with db.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO practice_submission (user_id, agency_id, course_id, enrollment_id, period,
                task_key, task_title, task, status, text, draft_version, attempt, submitted_at,
                created_at, updated_at)
            SELECT e.user_id, s.agency_id, s.course_id, e.id, e.period, s.task_key, s.task_title,
                s.task, s.status, s.text, s.draft_version, s.attempt, s.submitted_at,
                s.created_at, s.updated_at
            FROM learning_enrollment e, practice_submission s
            WHERE e.course_id = %s AND e.id <> s.enrollment_id AND s.enrollment_id = %s
            """,
            [course.pk, enrollment.pk],
        )
    logged = late_reviews_record()
    with db.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO reminders_reminderlog (key, kind, step, period, agency_id, recipient_id,
                batch, status, attempts, last_error, created_at)
            SELECT 'before:' || g || ':1:0:' || %s, 'before', 0, 1, %s, %s,
                md5(g::text)::uuid, 'sent', 1, '', now()
            FROM generate_series(1, %s) g
            """,
            [trainer.pk, agency.pk, trainer.pk, other_logs],
        )
        cursor.execute("ANALYZE")
    log(
        f"Seeded {late} late submissions, {len(logged)} late-review logs and {other_logs} other "
        f"logs in {time.perf_counter() - clock:.1f} s."
    )


def record_before(now=None):
    """The recorder before the change: every late submission drafted again."""
    from practice.selectors import late_q
    from practice.services.late_reviews import KIND, _waiting, reviewers_for
    from reminders.services import ReminderDraft, reminders_record

    now = now or timezone.now()
    rows = list(
        _waiting(now)
        .filter(late_q(now))
        .values("pk", "agency_id", "course_id", "user_id", "attempt")
    )
    if not rows:
        return []
    reviewers = reviewers_for((row["agency_id"], row["course_id"]) for row in rows)
    return reminders_record(
        drafts=[
            ReminderDraft(
                kind=KIND,
                agency_id=row["agency_id"],
                recipient_id=reviewer_id,
                object_id=row["pk"],
                period=row["attempt"],
            )
            for row in rows
            for reviewer_id in sorted(reviewers[(row["agency_id"], row["course_id"])])
            if reviewer_id != row["user_id"]
        ]
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--late", type=int, default=2000)
    parser.add_argument("--other-logs", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if db.vendor != "postgresql":
        raise SystemExit("Needs PostgreSQL (DATABASE_URL).")
    seed(args.late, args.other_logs)

    from practice.selectors import review_targets
    from practice.services.late_reviews import late_reviews_record

    review_targets()  # cached, as in every run after the first
    timings = {"before": [], "after": []}
    queries = {}
    for _ in range(args.runs):
        for name, record in (("before", record_before), ("after", late_reviews_record)):
            with CaptureQueriesContext(db) as captured:
                clock = time.perf_counter()
                assert record() == []
                timings[name].append((time.perf_counter() - clock) * 1000)
            queries[name] = len(captured.captured_queries)
            last = captured.captured_queries
    with db.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + last[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for name in ("before", "after"):
        log(
            f"{name:>6}: median {statistics.median(timings[name]):8.1f} ms, "
            f"min {min(timings[name]):8.1f} ms, {queries[name]} queries"
        )
    log(f"ratio: {statistics.median(timings['before']) / statistics.median(timings['after']):.0f}x")
    log("Plan of the new query:\n" + plan)


if __name__ == "__main__":
    main()
