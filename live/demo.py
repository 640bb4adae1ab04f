"""Demo live sessions for `seed_demo`: upcoming ones (one full, with a waiting list, and a
weekly series) and past ones with attendance and a recording, with the catalog's topics; the
prompting clinic waits for a platform admin's approval to open to every agency, and the past
livestream was opened to every agency. The past office hours are linked to a starter course, and a past
"live practice" to the agency's course with a live-session step, which its attendance credited;
every attendance is a learning event (`attended`).

Sessions are scheduled through the service; the demo's registrations and attendance are
inserted in bulk (no emails at seeding time), with the statuses and waiting-list positions the
services would have given.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Membership, Role
from courses import services as course_services
from courses.models import Course, Topic
from learning import services as learning_services

from . import services
from .models import LiveSession, Registration, RegistrationStatus, Sharing
from .services.aggregates import attendance_cells_refresh
from .services.attendance import attendance_to_learning

HOST = "trainer@demo.gov"
# The office hours are linked to this starter course: attending them is a learning event of it.
OFFICE_HOURS_COURSE = "checking-ai-output"
# A small Demo Agency course whose second module is a live-session step, done by attending the
# past "Live practice" session (its attendees are enrolled, so attendance credits the step).
LIVE_STEP_COURSE = "verifying-output-live-practice"


def _at(days: int, hour: int) -> datetime.datetime:
    day = (timezone.now() + datetime.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return day


def _people(agency, count):
    return list(
        User.objects.filter(
            membership__agency=agency, membership__is_active=True, membership__role=Role.LEARNER
        )
        .exclude(email="learner@demo.gov")
        .order_by("pk")[:count]
    )


def _register(session, people, *, attended=0):
    rows = []
    for i, person in enumerate(people):
        if i < session.capacity:
            status = RegistrationStatus.ATTENDED if i < attended else RegistrationStatus.REGISTERED
            position = None
        else:
            status, position = RegistrationStatus.WAITLISTED, i - session.capacity + 1
        rows.append(
            Registration(session=session, user=person, status=status, waitlist_position=position)
        )
    Registration.objects.bulk_create(rows)


def _attended_ids(session) -> list[int]:
    return list(
        Registration.objects.filter(
            session=session, status=RegistrationStatus.ATTENDED
        ).values_list("user_id", flat=True)
    )


def seed_live_sessions(*, agency_slug="demo-agency") -> int:
    """Returns the number of sessions created (0 when the agency has some already)."""
    agency = Agency.objects.filter(slug=agency_slug).first()
    host = User.objects.filter(email=HOST).first()
    if agency is None or host is None or LiveSession.objects.filter(agency=agency).exists():
        return 0
    if not Membership.objects.filter(user=host, agency=agency, is_active=True).exists():
        return 0
    common = dict(actor=host, host=host, course=None, description="")
    with transaction.atomic():
        clinic = services.session_create(
            **common,
            title="Prompting clinic",
            format="online",
            starts_at=_at(3, 14),
            ends_at=_at(3, 15),
            capacity=12,
            location="",
            join_url="https://meet.example.gov/prompting-clinic",
            language="en",
        )
        workshop = services.session_create(
            **common,
            title="Hands-on workshop: drafting correspondence with AI",
            format="hybrid",
            starts_at=_at(10, 9),
            ends_at=_at(10, 11),
            capacity=5,
            location="HQ, room 204",
            join_url="https://meet.example.gov/correspondence",
            language="en",
        )
        series = services.series_create(
            **common,
            dates=[_at(15, 10).date(), _at(22, 10).date()],
            title="Permanence IA (heures de bureau)",
            format="in_person",
            starts_at=_at(8, 10),
            ends_at=_at(8, 11),
            capacity=10,
            location="Salle 3",
            join_url="",
            language="fr",
        )
        past = []
        office_hours_course = Course.objects.filter(slug=OFFICE_HOURS_COURSE).first()
        practice_course = _live_step_course(agency, host)
        for days, title, capacity, course in [
            (14, "Livestream: what the new AI tool can do", 40, None),
            (5, "Office hours: checking AI output", 10, office_hours_course),
            (2, "Live practice: verifying AI output together", 8, practice_course),
        ]:
            session = services.session_create(
                **{**common, "course": course},
                title=title,
                format="online",
                starts_at=_at(1, 13),
                ends_at=_at(1, 14),
                capacity=capacity,
                location="",
                join_url="https://meet.example.gov/past",
                language="en",
            )
            # Moved into the past after scheduling (the service schedules future sessions).
            LiveSession.objects.filter(pk=session.pk).update(
                starts_at=_at(-days, 13),
                ends_at=_at(-days, 14),
                recording_url="https://video.example.gov/recordings/demo" if days == 14 else "",
            )
            past.append(session)
        _register(clinic, _people(agency, 6))
        _register(workshop, _people(agency, 7))
        _register(series[0], _people(agency, 4))
        _register(past[0], _people(agency, 12), attended=9)
        _register(past[1], _people(agency, 8), attended=5)
        practicing = _people(agency, 4)
        for person in practicing:  # enrolled first, so their attendance credits the live step
            learning_services.enrollment_create(user=person, course=practice_course)
        _register(past[2], practicing, attended=4)
        for session in [clinic, workshop, *series, *past]:
            attendance_cells_refresh(session)
        for session in past:  # the attended learning events, as the roster would write them
            attendance_to_learning(session, _attended_ids(session))
        _add_topics(clinic=clinic, workshop=workshop, series=series, past=past)
        services.session_sharing_set(actor=host, session=clinic, every_agency=True)
        # Approved by a platform admin long ago (the demo has no decision to replay).
        LiveSession.objects.filter(pk=past[0].pk).update(sharing=Sharing.APPROVED)
    return 2 + len(series) + len(past)


def _live_step_course(agency, host) -> Course:
    """The agency's short course with a live-session step, authored and published through the
    course services (as a trainer would in the studio)."""
    existing = Course.objects.filter(slug=LIVE_STEP_COURSE).first()
    if existing is not None:
        return existing
    c = course_services
    course = c.course_create(
        actor=host,
        agency=agency,
        title="Verifying AI output: live practice",
        slug=LIVE_STEP_COURSE,
        summary="A short reading, then a live session where we check real AI drafts together.",
        level="intermediate",
        estimated_minutes=45,
        topics=["verification"],
        outcomes=["Check an AI draft against its sources with colleagues"],
    )
    prepare = c.module_create(actor=host, course=course, title="Prepare")
    c.lesson_create(
        actor=host,
        module=prepare,
        title="What we will check together",
        key="what-we-will-check",
        body=(
            "Bring one AI-assisted draft from your work. In the live session we compare its "
            "facts, figures and citations with their sources, and note what we changed."
        ),
        estimated_minutes=5,
    )
    practice = c.module_create(actor=host, course=course, title="Practice together")
    c.live_step_create(
        actor=host,
        module=practice,
        title="Attend a live practice session",
        key="live-practice",
        description="Any live practice session of this course counts: the host records who came.",
    )
    c.course_publish(actor=host, course=course)
    return course


def _add_topics(*, clinic, workshop, series, past):
    """The starter curriculum's topics, when the courses' seed has made them."""
    topics = Topic.objects.in_bulk(
        ["prompting", "writing", "ai-basics", "verification"], field_name="slug"
    )
    chosen = [
        (clinic, "prompting"),
        (workshop, "writing"),
        *((session, "ai-basics") for session in series),
        (past[0], "ai-basics"),
        (past[1], "verification"),
        (past[2], "verification"),
    ]
    for session, slug in chosen:
        if slug in topics:
            session.topics.add(topics[slug])
