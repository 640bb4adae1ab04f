"""Scheduling and editing live sessions and series."""

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import Membership, Role, Unit
from courses.access import course_available_to_agency_q
from courses.markdown import render_markdown
from courses.models import Course
from learning.content import outline

from ..access import can_edit_session, can_schedule
from ..models import Format, LiveSession, Registration, RegistrationStatus, Series
from . import notices
from .aggregates import attendance_cells_refresh
from .registrations import promote_waiting

FIELDS = (
    "title",
    "description",
    "format",
    "starts_at",
    "ends_at",
    "capacity",
    "location",
    "join_url",
    "host",
    "language",
    "course",
    "path",
    "credits_step",
)
# A change of any of these reaches every registrant's calendar (and a notice by email).
NOTICE_FIELDS = ("starts_at", "ends_at", "location", "join_url", "format")
CALENDAR_FIELDS = (*NOTICE_FIELDS, "title", "description", "host")


def _checkin_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def course_live_steps(course: Course) -> list[dict]:
    """The live-session steps ({key, title}) of the course's current published version, in
    course order; [] for a course not published or without such steps."""
    version = course.current_version
    if version is None:
        return []
    return list(outline(version.snapshot).live.values())


def _validate(*, agency_id: int, data: dict, units) -> None:
    """Refuse bad input with messages on the fields they concern."""
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors.setdefault("title", []).append(_("Give the session a title."))
    if data["ends_at"] <= data["starts_at"]:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    if data["capacity"] is None or data["capacity"] < 1:
        errors.setdefault("capacity", []).append(_("Capacity must be at least 1."))
    if data["format"] in (Format.ONLINE, Format.HYBRID) and not data.get("join_url"):
        errors.setdefault("join_url", []).append(
            _("An online or hybrid session needs a join link.")
        )
    if data["format"] in (Format.IN_PERSON, Format.HYBRID) and not data.get("location"):
        errors.setdefault("location", []).append(
            _("An in-person or hybrid session needs a location.")
        )
    host = data["host"]
    if not Membership.objects.filter(
        user=host,
        agency_id=agency_id,
        is_active=True,
        role__in=[Role.TRAINER, Role.AGENCY_ADMIN],
    ).exists():
        errors.setdefault("host", []).append(_("The host must be a trainer of your agency."))
    if any(unit.agency_id != agency_id for unit in units):
        errors.setdefault("units", []).append(_("Choose units of your agency."))
    course = data.get("course")
    if (
        course is not None
        and not Course.objects.filter(
            course_available_to_agency_q(agency_id), pk=course.pk
        ).exists()
    ):
        errors.setdefault("course", []).append(_("Choose a published course of your agency."))
    path = data.get("path")
    if path is not None and not (path.is_published and path.owner_id in (None, agency_id)):
        errors.setdefault("path", []).append(_("Choose a published learning path of your agency."))
    if course is not None and path is not None:
        errors.setdefault("path", []).append(
            _("Link the session to a course or to a learning path, not both.")
        )
    step = data.get("credits_step") or ""
    if step and course is None:
        errors.setdefault("credits_step", []).append(
            _("Link the session to a course to name the step it credits.")
        )
    elif step and step not in {s["key"] for s in course_live_steps(course)}:
        errors.setdefault("credits_step", []).append(
            _("Choose a live-session step of the linked course's published version.")
        )
    if errors:
        raise ValidationError(errors)


def _render(session: LiveSession) -> None:
    session.description_html = render_markdown(session.description) if session.description else ""
    session.materials_html = render_markdown(session.materials) if session.materials else ""


def session_create(
    *, actor, units: list[Unit] | tuple = (), topics=(), series=None, **data
) -> LiveSession:
    """Schedule one session of the actor's agency (trainers and agency admins). Refuses bad
    input with a ValidationError per field."""
    acting = actor_for(actor)
    if not can_schedule(acting):
        raise PermissionDenied
    data = {key: data.get(key) for key in FIELDS}
    data["description"] = data["description"] or ""
    data["location"] = data["location"] or ""
    data["join_url"] = data["join_url"] or ""
    data["credits_step"] = data["credits_step"] or ""
    _validate(agency_id=acting.agency_id, data=data, units=units)
    with transaction.atomic():
        session = LiveSession(agency_id=acting.agency_id, series=series, **data)
        session.checkin_code = _checkin_code()
        _render(session)
        session.save()
        if units:
            session.units.set(units)
        if topics:
            session.topics.set(topics)
    return session


def series_create(
    *, actor, dates: list, units: list[Unit] | tuple = (), topics=(), **data
) -> list[LiveSession]:
    """The same session on several dates (each with its own registrations): the first date
    is `starts_at`'s, the others are the `dates` given (the same time of day and length)."""
    length = data["ends_at"] - data["starts_at"]
    extra = sorted({day for day in dates if day != data["starts_at"].date()})
    with transaction.atomic():
        acting = actor_for(actor)
        if not can_schedule(acting):
            raise PermissionDenied
        series = Series.objects.create(agency_id=acting.agency_id, title=data["title"])
        sessions = [session_create(actor=actor, units=units, topics=topics, series=series, **data)]
        for day in extra:
            starts = datetime.combine(day, data["starts_at"].timetz())
            sessions.append(
                session_create(
                    actor=actor,
                    units=units,
                    topics=topics,
                    series=series,
                    **{**data, "starts_at": starts, "ends_at": starts + length},
                )
            )
    return sessions


def session_update(
    *, actor, session: LiveSession, units=None, topics=None, **changes
) -> LiveSession:
    """Change a session. A change of time, place or link raises the calendar SEQUENCE of every
    registrant and sends them the updated invite with a notice; more seats promote people from
    the waiting list."""
    acting = actor_for(actor)
    if not can_edit_session(acting, session):
        raise PermissionDenied
    allowed = {*FIELDS, "recording_url", "materials"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    new_course = getattr(changes.get("course"), "pk", None)
    if "course" in changes and "credits_step" not in changes and new_course != session.course_id:
        changes["credits_step"] = ""  # a step names a step of the course it was linked to
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        data = {key: getattr(session, key) for key in FIELDS}
        data.update({k: v for k, v in changes.items() if k in FIELDS})
        for key in ("description", "location", "join_url", "credits_step"):
            data[key] = data[key] or ""
        _validate(
            agency_id=session.agency_id,
            data=data,
            units=units if units is not None else list(session.units.all()),
        )
        changed = [key for key, value in changes.items() if getattr(session, key) != value]
        for key in changed:
            setattr(session, key, changes[key])
        for key in (
            "description",
            "location",
            "join_url",
            "materials",
            "recording_url",
            "credits_step",
        ):
            if getattr(session, key) is None:
                setattr(session, key, "")
        calendar_change = any(key in CALENDAR_FIELDS for key in changed)
        if calendar_change:
            session.sequence += 1
        _render(session)
        session.save()
        if units is not None:
            session.units.set(units)
        if topics is not None:
            session.topics.set(topics)
        if calendar_change:
            active = Registration.objects.filter(
                session=session,
                status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
            )
            ids = list(active.values_list("pk", flat=True))
            active.update(sequence=F("sequence") + 1)
            notice = any(key in NOTICE_FIELDS for key in changed)
            notices.send_on_commit(ids, "changed" if notice else "updated")
        if "capacity" in changed:
            promote_waiting(session)
            attendance_cells_refresh(session)
    return session
