"""Reads of live sessions for display, scoped to what the acting user may see, in a number of
queries that does not depend on how many sessions or registrations there are."""

from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone

from academy.prepared import prepared
from agencies.access import actor_for
from agencies.dates import agency_day_bounds
from courses.models import Language, LearningPathCourse, Topic

from .access import audience_q
from .models import (
    AttendanceCount,
    CalendarFeed,
    Format,
    LiveSession,
    Registration,
    RegistrationStatus,
    Sharing,
)

SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


def _with_counts(queryset, user):
    mine = Registration.objects.filter(session=OuterRef("pk"), user=user)
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEATED)),
        waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        my_status=Subquery(mine.values("status")[:1]),
        my_position=Subquery(mine.values("waitlist_position")[:1]),
    )


def upcoming_sessions(user, *, topic="", format="", language="", date_from=None):
    """Sessions not yet over that the user may register for (their audience), soonest first,
    with seats taken, the waiting list's length, the user's own status and the topics. Two
    queries (the topics are prefetched)."""
    actor = actor_for(user)
    if actor.agency_id is None:
        return LiveSession.objects.none()
    queryset = LiveSession.objects.filter(
        audience_q(agency_id=actor.agency_id, unit_path=actor.unit_path),
        is_cancelled=False,
        ends_at__gt=timezone.now(),
    )
    if topic:
        queryset = queryset.filter(topics__slug=topic)
    if format:
        queryset = queryset.filter(format=format)
    if language:
        queryset = queryset.filter(language=language)
    if date_from:
        start, _end = agency_day_bounds(actor.agency_time_zone, date_from)
        queryset = queryset.filter(starts_at__gte=start)
    return (
        _with_counts(queryset.select_related("host"), user)
        .prefetch_related(Prefetch("topics", Topic.objects.order_by("name")))
        .order_by("starts_at", "pk")
    )


def upcoming_topics(user):
    """The topics of the sessions not yet over in the user's audience (the filter's choices:
    no topic that would find nothing). One query."""
    actor = actor_for(user)
    if actor.agency_id is None:
        return Topic.objects.none()
    sessions = LiveSession.objects.filter(
        audience_q(agency_id=actor.agency_id, unit_path=actor.unit_path),
        is_cancelled=False,
        ends_at__gt=timezone.now(),
    )
    used = LiveSession.topics.through.objects.filter(livesession__in=sessions).values("topic_id")
    return Topic.objects.filter(pk__in=used).order_by("name")


def my_sessions(user):
    """The user's places at sessions not yet over (registered or waiting), soonest first."""
    return (
        Registration.objects.filter(
            user=user,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
            session__ends_at__gt=timezone.now(),
            session__is_cancelled=False,
        )
        .select_related("session")
        .order_by("session__starts_at")
    )


def hosted_sessions(user, *, past: bool = False):
    """Sessions the user hosts, upcoming (or past), with their counts."""
    now = timezone.now()
    queryset = LiveSession.objects.filter(host=user)
    queryset = queryset.filter(ends_at__lte=now) if past else queryset.filter(ends_at__gt=now)
    queryset = _with_counts(queryset, user).annotate(
        attended=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED))
    )
    return queryset.order_by("-starts_at" if past else "starts_at")


def agency_sessions(user):
    """Every session of the trainer's agency not yet over (for editing by any trainer)."""
    actor = actor_for(user)
    return _with_counts(
        LiveSession.objects.filter(agency_id=actor.agency_id, ends_at__gt=timezone.now()), user
    ).select_related("host")


def session_page(user, session: LiveSession) -> dict:
    """What the session page shows this user: their registration, counts, whether the join
    link is open to them, and whether they are in the audience."""
    actor = actor_for(user)
    now = timezone.now()
    registration = Registration.objects.filter(session=session, user=user).first()
    counts = Registration.objects.filter(session=session).aggregate(
        seated=Count("pk", filter=Q(status__in=SEATED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    in_audience = LiveSession.objects.filter(
        audience_q(agency_id=actor.agency_id, unit_path=actor.unit_path), pk=session.pk
    ).exists()
    holds_seat = registration is not None and registration.holds_seat
    opens = session.starts_at - timedelta(minutes=settings.LIVE_JOIN_OPENS_MINUTES)
    return {
        "registration": registration,
        "seated": counts["seated"],
        "waiting": counts["waiting"],
        "free": max(session.capacity - counts["seated"], 0),
        "in_audience": in_audience,
        "is_past": session.ends_at <= now,
        "has_started": session.starts_at <= now,
        "join_open": holds_seat and session.is_online and opens <= now < session.ends_at,
        "join_opens_at": opens,
        "checkin_open": holds_seat
        and registration.status == RegistrationStatus.REGISTERED
        and session.starts_at <= now < session.ends_at,
        "show_followup": session.ends_at <= now
        and (in_audience or registration is not None)
        and bool(session.recording_url or session.materials_html),
    }


def roster(session: LiveSession):
    """The people holding a seat, by name, with their accommodation needs and their agency
    (host only)."""
    return (
        Registration.objects.filter(session=session, status__in=SEATED)
        .select_related("user__membership__agency")
        .order_by("user__full_name", "user__email")
    )


def waiting_list(session: LiveSession):
    return (
        Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("waitlist_position")
    )


def people_to_register(user, session: LiveSession):
    """People the manager may register: those they manage, in the session's agency (or their
    own, for a session shared with every agency), with no place yet."""
    actor = actor_for(user)
    shared = session.sharing == Sharing.APPROVED
    if not actor.manages_people or (actor.agency_id != session.agency_id and not shared):
        return get_user_model().objects.none()
    placed = Registration.objects.filter(session=session).exclude(
        status=RegistrationStatus.CANCELLED
    )
    return (
        get_user_model()
        .objects.filter(
            actor.rows_q(
                agency_field="membership__agency",
                unit_path_field="membership__unit__path",
            ),
            membership__is_active=True,
        )
        .exclude(pk__in=placed.values("user_id"))
        .order_by("full_name", "email")
    )


def calendar_feed_for(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_registrations(token: str):
    """The registrations of the feed's owner (None for an unknown token): places held or
    waiting, and cancellations of the last 30 days so calendars drop them."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    since = timezone.now() - timedelta(days=30)
    return (
        Registration.objects.filter(user=feed.user)
        .filter(~Q(status=RegistrationStatus.CANCELLED) | Q(updated_at__gte=since))
        .select_related("session__host", "user")
        .order_by("session__starts_at")
    )


@prepared(agency_id=int, unit_path=str, now=datetime, user_id=int)
def _catalog_section_rows(*, agency_id, unit_path, now, user_id):
    mine = Registration.objects.filter(session=OuterRef("pk"), user_id=user_id)
    return (
        LiveSession.objects.filter(
            audience_q(agency_id=agency_id, unit_path=unit_path),
            is_cancelled=False,
            ends_at__gt=now,
        )
        .annotate(my_status=Subquery(mine.values("status")[:1]))
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at", "format", "language", "my_status")[:3]
    )


def catalog_section(user) -> dict:
    """The catalog: the next three sessions open to the user (`upcoming_sessions`' audience
    and order), with the user's own status: what the section shows, and only that (no seat
    counts, host or topics), as rows with the attributes pk, title, starts_at, format,
    language, my_status, format_label and language_label. One query (its SQL prepared once per
    process), none without an agency."""
    actor = actor_for(user)
    if actor.agency_id is None:
        return {"zone": actor.agency_time_zone, "rows": []}
    formats, languages = dict(Format.choices), dict(Language.choices)
    rows = [
        SimpleNamespace(
            pk=pk,
            title=title,
            starts_at=starts_at,
            format=format,
            language=language,
            my_status=my_status,
            format_label=formats.get(format, format),
            language_label=languages.get(language, language),
        )
        for pk, title, starts_at, format, language, my_status in _catalog_section_rows(
            agency_id=actor.agency_id,
            unit_path=actor.unit_path,
            now=timezone.now(),
            user_id=user.pk,
        )
    ]
    return {"zone": actor.agency_time_zone, "rows": rows}


def catalog_section_key(section_data: dict) -> tuple:
    """Everything `live/_catalog.html` shows of `catalog_section`'s data: its markup is cached
    on it (courses.registries.CatalogSection.key)."""
    return (
        section_data["zone"],
        tuple(
            (r.pk, r.title, r.starts_at, r.format, r.language, r.my_status)
            for r in section_data["rows"]
        ),
    )


def _rate(attended: int, seated: int) -> float | None:
    return round(100 * attended / seated) if seated else None


def attendance_figures(scope) -> dict:
    """The dashboard's live-session figures for a reports DashboardScope, summed from the
    aggregate cells of sessions that have ended (one query): seats held, attended, no-shows
    and the attendance rate."""
    cells = AttendanceCount.objects.filter(session__ends_at__lt=timezone.now())
    if scope.agency is not None:
        cells = cells.filter(agency_id=scope.agency.pk)
    if scope.unit is not None:
        cells = cells.filter(unit__path__startswith=scope.unit.path)
    totals = cells.aggregate(seated=Sum("seated"), attended=Sum("attended"))
    seated, attended = totals["seated"] or 0, totals["attended"] or 0
    return {
        "seated": seated,
        "attended": attended,
        "no_shows": seated - attended,
        "rate": _rate(attended, seated),
    }


def attendance_by_unit(user) -> list[dict]:
    """The manager's view: per unit they see, seats at upcoming sessions, and seats held,
    attended and no-shows at past ones, from the aggregate cells (one query)."""
    actor = actor_for(user)
    now = timezone.now()
    past = Q(session__ends_at__lt=now)
    rows = (
        AttendanceCount.objects.filter(
            actor.rows_q(agency_field="agency", unit_path_field="unit__path")
        )
        .values("unit_id", "unit__name", "unit__path")
        .annotate(
            upcoming=Sum("seated", filter=~past, default=0),
            seated=Sum("seated", filter=past, default=0),
            attended=Sum("attended", filter=past, default=0),
        )
        .order_by("unit__path")
    )
    return [
        {
            **row,
            "no_shows": row["seated"] - row["attended"],
            "rate": _rate(row["attended"], row["seated"]),
        }
        for row in rows
    ]


def course_sessions(user, course_id: int, *, limit: int = 10):
    """The upcoming sessions linked to a course, or to a learning path holding it, that the
    user may attend (their audience), soonest first, with their own status: what a
    live-session step of the course offers."""
    in_path = LearningPathCourse.objects.filter(path_id=OuterRef("path_id"), course_id=course_id)
    return upcoming_sessions(user).filter(Q(course_id=course_id) | Exists(in_path))[:limit]


def sharing_requests_pending():
    """Sessions whose trainers asked to open them to every agency, waiting for a platform
    admin, soonest first (platform admins only: the view checks)."""
    return (
        LiveSession.objects.filter(sharing=Sharing.REQUESTED, ends_at__gt=timezone.now())
        .select_related("agency", "host")
        .order_by("starts_at", "pk")
    )
