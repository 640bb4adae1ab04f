"""The national-scale data set of bench/scale.py: many agencies of skewed sizes, written with COPY.

100 agencies (by default) whose sizes follow Zipf's law (the largest has about a fifth of all
learners, the smallest a few thousand), a unit tree per agency (divisions, branches, teams: one
unit per ~500 people), platform courses every agency sees plus courses each agency owns (some
shared with a few others), and the enrollments:

- every agency runs an assignment campaign for each of its 2-3 required courses (due 60 days
  after the campaign started; people who joined later get 30 days from joining);
- the other enrollments are electives (no due date), chosen by popularity;
- progress depends on the time since enrollment and on the agency's uptake (agencies differ);
- agencies' learners are interleaved in the tables (people join over time, not agency by agency),
  so an agency's rows are spread over the whole heap as they would be in production.

Indexes and foreign keys of the big tables are dropped for the COPY and rebuilt afterwards from
their own definitions (foreign keys are validated when added back), then VACUUM ANALYZE.
"""

import datetime
import random
import time

# The siblings first: importing _setup takes bench/ off sys.path.
from _copy_load import Clock, bare_tables, copy_into, first_free_id, sync_sequence  # noqa: I001
from _national_people import write_people
from _setup import log
from django.db import connection, transaction

SLUG_PREFIX = "nat-"
PLATFORM_COURSES = 30
QUIZ_SHARE = 0.8  # courses with a graded quiz (a final score); the others have none
BIG_TABLES = (
    "accounts_user",
    "agencies_membership",
    "learning_enrollment",
    "learning_certificate",
)


def agency_sizes(agencies: int, learners: int) -> list[int]:
    """Zipf (s = 1) sizes summing to `learners`, largest first."""
    weights = [1 / (rank + 1) for rank in range(agencies)]
    total = sum(weights)
    sizes = [max(1, int(learners * w / total)) for w in weights]
    sizes[0] += learners - sum(sizes)
    return sizes


def national_agencies():
    from agencies.models import Agency

    return Agency.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug")


def largest_agency():
    return national_agencies().first()


def generate_national(*, agencies: int, learners: int, enrollments: int, seed: int = 11):
    """Write the national data set once; returns the agencies (largest first). Skipped when
    present (the sizes asked for must then match the ones stored)."""
    from reports.services.recompute import member_counts_recompute

    existing = list(national_agencies())
    if existing:
        log(f"National data already generated ({len(existing)} agencies); reusing it.")
        if len(existing) != agencies:
            raise SystemExit(
                f"The database holds {len(existing)} national agencies, not {agencies}: "
                "drop it (dropdb) to generate another size."
            )
        return existing
    rng = random.Random(seed)
    clock = Clock(datetime.datetime.now(datetime.UTC))
    sizes = agency_sizes(agencies, learners)
    started = time.perf_counter()
    # One transaction: a failed run leaves nothing behind (no table without its indexes).
    with transaction.atomic(), connection.cursor() as cursor:
        agency_ids = _write_agencies(cursor, clock, sizes, rng)
        units = _write_units(cursor, clock, agency_ids, sizes)
        plan = _write_courses(cursor, clock, agency_ids, sizes, rng)
        log(
            f"  {len(agency_ids)} agencies (largest {sizes[0]:,} learners, smallest "
            f"{sizes[-1]:,}), {sum(len(u) for u in units.values()):,} units, "
            f"{plan['courses']:,} courses in {time.perf_counter() - started:.1f} s"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check those rows now, before the DDL
        with bare_tables(cursor, BIG_TABLES, log):
            counts = write_people(
                cursor, clock, agency_ids, sizes, units, plan, enrollments, rng, log
            )
        for table in ("agencies_unit", "accounts_user", "learning_enrollment", "courses_course"):
            sync_sequence(cursor, table)
    with connection.cursor() as cursor:
        vacuum = time.perf_counter()
        for table in (*BIG_TABLES, "agencies_unit", "courses_course", "courses_courseversion"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - vacuum:.1f} s")
    for agency_id in agency_ids:  # the memberships went in by COPY: build their counts
        member_counts_recompute(agency_id=agency_id)
    national_admins()
    log(
        f"Generated {learners:,} learners in {len(agency_ids)} agencies, "
        f"{counts['enrollments']:,} enrollments, {counts['certificates']:,} certificates "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return list(national_agencies())


def national_admins():
    """(platform admin, admin of the largest agency), created through the services once. The
    platform admin has an authenticator app, as platform admins must (accounts/middleware.py),
    so that a forced login counts as signed in with MFA."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User
    from agencies.models import Role
    from agencies.services import membership_create

    platform, _ = User.objects.get_or_create(
        email="nat-platform@bench.gov",
        defaults={"full_name": "Platform Admin", "is_platform_admin": True},
    )
    if not Authenticator.objects.filter(user=platform, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(platform, generate_totp_secret())
    agency = largest_agency()
    admin, _ = User.objects.get_or_create(
        email=f"nat-admin@a{agency.pk}.nat.gov", defaults={"full_name": "Agency Admin"}
    )
    membership_create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)
    return platform, admin


def _write_agencies(cursor, clock, sizes, rng):
    first = first_free_id(cursor, "agencies_agency")
    columns = (
        "id, name, acronym, slug, time_zone, default_language, mfa_required, is_active, created_at"
    )
    with copy_into(cursor, "agencies_agency", columns.split(", ")) as copy:
        for rank, _size in enumerate(sizes):
            copy.write_row(
                (
                    first + rank,
                    f"National Agency {rank:03d}",
                    f"NA{rank:03d}",
                    f"{SLUG_PREFIX}{rank:03d}",
                    "UTC",
                    "en",
                    False,
                    True,
                    clock.now - datetime.timedelta(days=900),
                )
            )
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('agencies_agency', 'id'), "
        "(SELECT MAX(id) FROM agencies_agency))"
    )
    return [first + rank for rank in range(len(sizes))]


def _write_units(cursor, clock, agency_ids, sizes):
    """Divisions, branches and teams: about one unit per 500 people. {agency: [unit ids]}."""
    next_id = first_free_id(cursor, "agencies_unit")
    units: dict[int, list[int]] = {}
    created = clock.hour(24 * 900)
    with copy_into(
        cursor, "agencies_unit", ("id", "name", "path", "created_at", "agency_id", "parent_id")
    ) as copy:
        for agency_id, size in zip(agency_ids, sizes, strict=True):
            total = max(4, round(size / 500))
            fan = max(2, round(total ** (1 / 3)))
            tops = min(fan, total)
            mids = min(total - tops, tops * fan)
            rows = []  # (id, name, path, parent)
            for t in range(tops):
                rows.append((next_id, f"Division {t}", f"/{next_id}/", None))
                next_id += 1
            for m in range(mids):
                parent = rows[m % tops]
                rows.append((next_id, f"Branch {m}", f"{parent[2]}{next_id}/", parent[0]))
                next_id += 1
            parents = rows[tops:] or rows[:tops]
            for k in range(total - tops - mids):
                parent = parents[k % len(parents)]
                rows.append((next_id, f"Team {k}", f"{parent[2]}{next_id}/", parent[0]))
                next_id += 1
            for unit_id, name, path, parent_id in rows:
                copy.write_row((unit_id, name, path, created, agency_id, parent_id))
            units[agency_id] = [row[0] for row in rows]
    return units


def _write_courses(cursor, clock, agency_ids, sizes, rng):
    """Platform courses (every agency), courses owned by each agency (a fifth of them shared
    with three others), one published version each. Returns what the enrollments draw from."""
    course_id = first_free_id(cursor, "courses_course")
    version_id = first_free_id(cursor, "courses_courseversion")
    courses = []  # (course id, version id, title, owner or None, visibility)
    for c in range(PLATFORM_COURSES):
        courses.append((course_id, version_id, f"Platform course {c:02d}", None, "all"))
        course_id, version_id = course_id + 1, version_id + 1
    owned: dict[int, list[int]] = {a: [] for a in agency_ids}
    shared_in: dict[int, list[int]] = {a: [] for a in agency_ids}
    shares = []
    for agency_id, size in zip(agency_ids, sizes, strict=True):
        for k in range(1 + min(9, size // 20_000)):
            chosen = k > 0 and rng.random() < 0.2
            courses.append(
                (
                    course_id,
                    version_id,
                    f"Agency {agency_id} course {k}",
                    agency_id,
                    "chosen" if chosen else "owner",
                )
            )
            owned[agency_id].append(course_id)
            if chosen:
                for other in rng.sample([a for a in agency_ids if a != agency_id], 3):
                    shares.append((course_id, other))
                    shared_in[other].append(course_id)
            course_id, version_id = course_id + 1, version_id + 1
    created = clock.now - datetime.timedelta(days=800)
    course_columns = (
        "id, title, slug, summary, audience, level, language, estimated_minutes, outcomes, "
        "visibility, status, draft_revision, draft_updated_at, created_at, owner_id, "
        "current_version_id, complete_lessons_at_end"
    ).split(", ")
    # Courses first, as drafts without a version (the version points at the course); then
    # published with it.
    with copy_into(cursor, "courses_course", course_columns) as copy:
        for cid, _vid, title, owner, visibility in courses:
            copy.write_row(
                (
                    cid,
                    title,
                    f"nat-course-{cid}",
                    "",
                    "",
                    "beginner",
                    "en",
                    30,
                    "[]",
                    visibility,
                    "draft",
                    1,
                    created,
                    created,
                    owner,
                    None,
                    False,
                )
            )
    version_columns = (
        "id, number, title, summary, level, language, estimated_minutes, snapshot, "
        "content_hash, published_at, course_id"
    ).split(", ")
    with copy_into(cursor, "courses_courseversion", version_columns) as copy:
        for cid, vid, title, _owner, _visibility in courses:
            copy.write_row(
                (vid, 1, title, "", "beginner", "en", 30, '{"modules": []}', "x", created, cid)
            )
    cursor.execute(
        "UPDATE courses_course c SET current_version_id = v.id, status = 'published' "
        "FROM courses_courseversion v "
        "WHERE v.course_id = c.id AND c.slug LIKE 'nat-course-%%'"
    )
    sync_sequence(cursor, "courses_courseversion")
    with copy_into(cursor, "courses_course_shared_with", ("course_id", "agency_id")) as copy:
        for row in shares:
            copy.write_row(row)
    version_of = {cid: vid for cid, vid, *_ in courses}
    title_of = {cid: title for cid, _vid, title, *_ in courses}
    platform = [c[0] for c in courses[:PLATFORM_COURSES]]
    return {
        "courses": len(courses),
        "platform": platform,
        "owned": owned,
        "shared_in": shared_in,
        "version_of": version_of,
        "title_of": title_of,
        "quiz": {cid: rng.random() < QUIZ_SHARE for cid in version_of},
    }
