"""Shared set-up for the benchmarks: Django on the benchmark database, and the data generator.

Run by hand on PostgreSQL (never part of the test run):
    createdb -h 127.0.0.1 -U postgres academy_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench .venv/bin/python bench/dashboard.py
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

# The repository first, and not bench/ itself (bench/reminders.py would shadow the app).
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("ACADEMY_EMBEDDED", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SLUG = "bench-agency"


def log(message):
    print(message, flush=True)


def generate(
    *, learners: int, per_learner: int, units: int = 200, courses: int = 20, seed: int = 7
):
    """One agency, `units` units, `courses` courses, `learners` people with `per_learner`
    enrollments each and realistic progress, written with COPY. Skipped if already there."""
    from agencies.models import Agency, AgencyDomain, Role, Unit
    from agencies.services import membership_create
    from courses.models import Course, CourseVersion
    from reports.services.recompute import member_counts_recompute

    if connection.vendor != "postgresql":
        sys.exit("The benchmarks need PostgreSQL (set DATABASE_URL).")
    call_command("migrate", verbosity=0)
    agency = Agency.objects.filter(slug=SLUG).first()
    if agency is not None:
        log(f"Data already generated for {SLUG}; reusing it.")
        return agency
    clock = time.perf_counter()
    rng = random.Random(seed)
    agency = Agency.objects.create(name="Bench Agency", acronym="BA", slug=SLUG)
    AgencyDomain.objects.create(agency=agency, domain="bench.gov", status="approved")
    unit_ids, tops = [], []
    for t in range(max(1, units // 10)):
        top = Unit.objects.create(agency=agency, name=f"Division {t}", path="")
        top.path = f"/{top.pk}/"
        top.save(update_fields=["path"])
        tops.append(top)
        unit_ids.append(top.pk)
    while len(unit_ids) < units:
        parent = tops[len(unit_ids) % len(tops)]
        unit = Unit.objects.create(
            agency=agency, parent=parent, name=f"Team {len(unit_ids)}", path=""
        )
        unit.path = f"{parent.path}{unit.pk}/"
        unit.save(update_fields=["path"])
        unit_ids.append(unit.pk)
    course_ids, version_ids = [], []
    for c in range(courses):
        course = Course.objects.create(
            title=f"Bench course {c:02d}", slug=f"bench-{c:02d}", visibility="all"
        )
        version = CourseVersion.objects.create(
            course=course,
            number=1,
            title=course.title,
            level="beginner",
            language="en",
            estimated_minutes=30,
            snapshot={"modules": []},
            content_hash="x",
        )
        Course.objects.filter(pk=course.pk).update(current_version=version, status="published")
        course_ids.append(course.pk)
        version_ids.append(version.pk)
    now = datetime.datetime.now(datetime.UTC)
    today = now.date()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user = cursor.fetchone()[0] + 1
        with cursor.copy(
            "COPY accounts_user (id, password, is_superuser, is_staff, is_active, "
            "date_joined, email, full_name, is_platform_admin, last_login, "
            "activated_at) FROM STDIN"
        ) as copy:
            for i in range(learners):
                login = (
                    now - datetime.timedelta(days=rng.randint(0, 90))
                    if rng.random() < 0.7
                    else None
                )
                copy.write_row(
                    (
                        first_user + i,
                        "!",
                        False,
                        False,
                        True,
                        now,
                        f"bench{i:07d}@bench.gov",
                        f"Learner {i}",
                        False,
                        login,
                        login,
                    )
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
            "(SELECT MAX(id) FROM accounts_user))"
        )
        with cursor.copy(
            "COPY agencies_membership (user_id, agency_id, unit_id, role, "
            "is_active, joined_at) FROM STDIN"
        ) as copy:
            for i in range(learners):
                copy.write_row(
                    (
                        first_user + i,
                        agency.pk,
                        unit_ids[i % len(unit_ids)],
                        Role.LEARNER,
                        True,
                        now - datetime.timedelta(days=120),
                    )
                )
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM learning_enrollment")
        next_id = cursor.fetchone()[0] + 1
        certificates = []
        with cursor.copy(
            "COPY learning_enrollment (id, user_id, course_id, version_id, "
            "agency_id, unit_id, status, progress_percent, started_at, "
            "completed_at, final_score, due_on, required, last_lesson_key, "
            "created_at, period, updated_at) FROM STDIN"
        ) as copy:
            for i in range(learners):
                unit = unit_ids[i % len(unit_ids)]
                for c in rng.sample(range(len(course_ids)), per_learner):
                    roll = rng.random()
                    created = now - datetime.timedelta(days=rng.randint(30, 180))
                    required = rng.random() < 0.6
                    due = (
                        today + datetime.timedelta(days=rng.randint(-60, 60)) if required else None
                    )
                    started = completed = score = None
                    status, progress = "not_started", 0
                    if roll > 0.3:
                        started = created + datetime.timedelta(days=rng.randint(0, 20))
                        status, progress = "in_progress", rng.randint(5, 95)
                    if roll > 0.6:
                        completed = min(
                            started
                            + datetime.timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 13, 21, 40])),
                            now,
                        )
                        status, progress, score = "completed", 100, rng.randint(50, 100)
                        certificates.append(next_id)
                    copy.write_row(
                        (
                            next_id,
                            first_user + i,
                            course_ids[c],
                            version_ids[c],
                            agency.pk,
                            unit,
                            status,
                            progress,
                            started,
                            completed,
                            score,
                            due,
                            required,
                            "",
                            created,
                            1,
                            completed or started or created,
                        )
                    )
                    next_id += 1
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('learning_enrollment', 'id'), "
            "(SELECT MAX(id) FROM learning_enrollment))"
        )
        with cursor.copy(
            "COPY learning_certificate (enrollment_id, issued_for_id, period, code, "
            "learner_name, course_title, agency_name, issued_at, revoked_reason) "
            "FROM STDIN"
        ) as copy:
            for enrollment_id in certificates:
                revoked = "" if enrollment_id % 50 else "bench"
                copy.write_row(
                    (
                        enrollment_id,
                        enrollment_id,
                        1,
                        f"bench-{enrollment_id}",
                        "Learner",
                        "Course",
                        "Bench Agency",
                        now,
                        revoked,
                    )
                )
        cursor.execute(
            "UPDATE learning_certificate SET revoked_at = issued_at WHERE revoked_reason = 'bench'"
        )
        cursor.execute("ANALYZE")
    admin_user = _admin(agency)
    membership_create(user=admin_user, agency=agency, role=Role.AGENCY_ADMIN)
    # The memberships were written with COPY: build their member counts (one grouped query).
    member_counts_recompute(agency_id=agency.pk)
    log(
        f"Generated {learners:,} learners, {learners * per_learner:,} enrollments, "
        f"{len(certificates):,} certificates in {time.perf_counter() - clock:.1f} s"
    )
    return agency


def _admin(agency):
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        email="bench-admin@bench.gov", defaults={"full_name": "Bench Admin"}
    )
    return user


def bench_admin():
    from accounts.models import User

    return User.objects.get(email="bench-admin@bench.gov")


def median(values):
    values = sorted(values)
    return values[len(values) // 2]
