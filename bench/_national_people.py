"""The people of bench/_national.py: users, memberships, enrollments with realistic progress,
and certificates, of every agency interleaved (people join over time, not agency by agency)."""

import array
import bisect
import time

from _copy_load import NULL, Writer, copy_into, first_free_id


def _per_learner_counts(agency_of, caps, enrollments, rng):
    """How many enrollments each learner has: about the mean, summing exactly to the total."""
    mean = enrollments / len(agency_of)
    counts = array.array("H", (0 for _ in agency_of))
    for i, agency_id in enumerate(agency_of):
        counts[i] = max(1, min(caps[agency_id], round(rng.gauss(mean, 2.5))))
    missing = enrollments - sum(counts)
    step = 1 if missing > 0 else -1
    while missing:
        i = rng.randrange(len(counts))
        value = counts[i] + step
        if 1 <= value <= caps[agency_of[i]]:
            counts[i] = value
            missing -= step
    return counts


def write_people(cursor, clock, agency_ids, sizes, units, plan, enrollments, rng, log):
    """Users, memberships, enrollments and certificates; learners of all agencies interleaved."""
    agency_of = array.array("q")
    for agency_id, size in zip(agency_ids, sizes, strict=True):
        agency_of.extend([agency_id] * size)
    rng.shuffle(agency_of)
    # Per agency: the courses it requires (with a campaign each), its electives by popularity,
    # its uptake (how fast its people finish) and its activation rate.
    profile = {}
    for agency_id in agency_ids:
        platform, own = plan["platform"], plan["owned"][agency_id]
        required = [platform[0], own[0]] + ([platform[1]] if rng.random() < 0.6 else [])
        electives = [c for c in platform + own + plan["shared_in"][agency_id] if c not in required]
        weights = [
            (1 / (1 + platform.index(c)) if c in platform else 0.4) * rng.uniform(0.5, 1.5)
            for c in electives
        ]
        cumulative = []
        total = 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        campaigns = {c: rng.randint(20, 330) for c in required}  # days since it started
        profile[agency_id] = {
            "required": required,
            "campaigns": campaigns,
            "electives": electives,
            "cumulative": cumulative,
            "uptake": rng.uniform(0.6, 1.15),
            "activation": rng.uniform(0.55, 0.95),
        }
    caps = {a: len(p["required"]) + len(p["electives"]) for a, p in profile.items()}
    counts = _per_learner_counts(agency_of, caps, enrollments, rng)

    first_user = first_free_id(cursor, "accounts_user")
    started = time.perf_counter()
    joined = array.array("l")  # hours ago each learner joined (their first enrollment after)
    unit_of = array.array("q")
    user_columns = (
        "id, password, is_superuser, is_staff, is_active, date_joined, email, full_name, "
        "is_platform_admin, last_login, activated_at"
    ).split(", ")
    with copy_into(cursor, "accounts_user", user_columns) as copy:
        out = Writer(copy)
        for i, agency_id in enumerate(agency_of):
            # Three in four were there before this year's campaigns; the others joined since.
            hours = (
                rng.randint(24 * 366, 24 * 2000)
                if rng.random() < 0.75
                else rng.randint(1, 24 * 365)
            )
            joined.append(hours)
            unit_ids = units[agency_id]
            unit_of.append(0 if rng.random() < 0.01 else unit_ids[rng.randrange(len(unit_ids))])
            login = NULL
            if rng.random() < profile[agency_id]["activation"]:
                login = clock.hour(rng.randint(0, min(hours, 24 * 365)))
            out.row(
                str(first_user + i),
                "!",
                "f",
                "f",
                "t",
                clock.hour(hours),
                f"n{i:07d}@a{agency_id}.nat.gov",
                f"Learner {i}",
                "f",
                login,
                login,
            )
        out.flush()
    with copy_into(
        cursor,
        "agencies_membership",
        ("user_id", "agency_id", "unit_id", "role", "is_active", "joined_at"),
    ) as copy:
        out = Writer(copy)
        for i, agency_id in enumerate(agency_of):
            unit = unit_of[i]
            out.row(
                str(first_user + i),
                str(agency_id),
                str(unit) if unit else NULL,
                "learner",
                "t" if rng.random() < 0.98 else "f",
                clock.hour(joined[i]),
            )
        out.flush()
    log(f"  {len(agency_of):,} users and memberships in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    next_id = first_free_id(cursor, "learning_enrollment")
    certified = array.array("q")  # enrollment id, user index, course id, hours ago: 4 per row
    version_of, quiz = plan["version_of"], plan["quiz"]
    columns = (
        "id, user_id, course_id, version_id, agency_id, unit_id, status, progress_percent, "
        "started_at, completed_at, final_score, due_on, required, last_lesson_key, created_at, "
        "period"
    ).split(", ")
    rand, randint = rng.random, rng.randint
    with copy_into(cursor, "learning_enrollment", columns) as copy:
        out = Writer(copy)
        for i, agency_id in enumerate(agency_of):
            p = profile[agency_id]
            join = joined[i]
            unit = str(unit_of[i]) if unit_of[i] else NULL
            user, agency = str(first_user + i), str(agency_id)
            want = counts[i]
            chosen = []
            for course in p["required"][:want]:
                campaign = p["campaigns"][course] * 24
                if join > campaign:  # there when the campaign started: its due date
                    created = campaign - randint(0, 47)
                    due = -p["campaigns"][course] + 60
                else:  # joined since: assigned on arrival, 30 days to do it
                    created = max(0, join - randint(0, 72))
                    due = -(created // 24) + 30
                chosen.append((course, True, created, due))
            picked = set()
            cumulative, electives = p["cumulative"], p["electives"]
            top = cumulative[-1]
            while len(chosen) < want:
                course = electives[bisect.bisect_left(cumulative, rand() * top)]
                if course in picked:
                    continue
                picked.add(course)
                chosen.append((course, False, randint(0, min(join, 24 * 365)), None))
            for course, required, created, due in chosen:
                days = created / 24
                if required:
                    done = min(0.97, p["uptake"] * (0.2 + 0.7 * min(1.0, days / 75)))
                else:
                    done = min(0.9, p["uptake"] * (0.1 + 0.4 * min(1.0, days / 120)))
                roll = rand()
                status, progress = "not_started", "0"
                started_at = completed_at = score = NULL
                if roll < done + (1 - done) * 0.45:
                    start = created - min(created, randint(0, 24 * 14))
                    started_at = clock.hour(start)
                    if roll < done:
                        gap = 24 * rng.choice((0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89))
                        end = max(0, start - gap - randint(0, 23))
                        completed_at = clock.hour(end)
                        status, progress = "completed", "100"
                        if quiz[course]:
                            score = str(randint(50, 100))
                        certified.extend((next_id, i, course, end))
                    else:
                        status, progress = "in_progress", str(randint(5, 95))
                out.row(
                    str(next_id),
                    user,
                    str(course),
                    str(version_of[course]),
                    agency,
                    unit,
                    status,
                    progress,
                    started_at,
                    completed_at,
                    score,
                    clock.day(due) if due is not None else NULL,
                    "t" if required else "f",
                    "",
                    clock.hour(created),
                    "1",
                )
                next_id += 1
        out.flush()
    total = sum(counts)
    log(f"  {total:,} enrollments in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    title_of = plan["title_of"]
    names = {a: f"National Agency {r:03d}" for r, a in enumerate(agency_ids)}
    columns = (
        "enrollment_id, issued_for_id, period, code, learner_name, course_title, agency_name, "
        "issued_at, revoked_at, revoked_reason"
    ).split(", ")
    with copy_into(cursor, "learning_certificate", columns) as copy:
        out = Writer(copy)
        for k in range(0, len(certified), 4):
            enrollment_id, i, course, hours = certified[k : k + 4]
            issued = clock.hour(hours)
            revoked = enrollment_id % 50 == 0  # one in fifty revoked
            out.row(
                str(enrollment_id),
                str(enrollment_id),
                "1",
                f"nat-{enrollment_id}",
                f"Learner {i}",
                title_of[course],
                names[agency_of[i]],
                issued,
                issued if revoked else NULL,
                "bench" if revoked else "",
            )
        out.flush()
    log(f"  {len(certified) // 4:,} certificates in {time.perf_counter() - started:.1f} s")
    return {"enrollments": total, "certificates": len(certified) // 4}
