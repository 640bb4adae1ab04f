"""Live sessions in the feed: an attended session is a completion of each attendee's agency,
coded by the session's host or its agency's admins (one SessionCoding per session)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from agencies.dates import agency_day_bounds
from agencies.models import Membership
from live.models import Format, LiveSession, Registration, RegistrationStatus

from .codes import ONLINE_SELF_PACED
from .models import SessionCoding

DELIVERY_BY_FORMAT = {
    Format.ONLINE: "Technology Based",
    Format.IN_PERSON: "Traditional Classroom (no technology)",
    Format.HYBRID: "Blended",
}
SESSION_LIST_LIMIT = 200


def can_code_session(actor, session) -> bool:
    """The session's host, or an admin of the session's agency."""
    acting = actor_for(actor)
    return session.host_id == getattr(actor, "pk", None) or acting.administers_agency(
        session.agency_id
    )


def access_session_for_coding(user, session_id) -> LiveSession:
    """A session the user may code, or 404 (missing or forbidden alike)."""
    session = (
        LiveSession.objects.select_related("agency").filter(pk=session_id).first()
        if str(session_id).isdigit()
        else None
    )
    if session is None or not can_code_session(user, session):
        raise Http404
    return session


def session_hours(session) -> Decimal:
    """The session's length in hours, to one decimal, half up (Academy's rule, as courses)."""
    seconds = Decimal((session.ends_at - session.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def session_default_coding(session) -> SessionCoding:
    """An unsaved coding with a live session's defaults: delivery from its format (online:
    Technology Based; in person: Traditional Classroom; hybrid: Blended), made in-house."""
    return SessionCoding(
        session=session,
        agency_id=session.agency_id,
        **{
            **ONLINE_SELF_PACED,
            "training_delivery_type_code": DELIVERY_BY_FORMAT.get(
                session.format, "Technology Based"
            ),
        },
    )


def session_coding_save(*, actor, session, values: dict, ip=None) -> SessionCoding:
    """Save the session's coding (its host or its agency's admins only)."""
    from .services import CODING_FIELDS

    if not can_code_session(actor, session):
        raise PermissionDenied(_("You cannot code this session."))
    with audited(
        actor=actor, agency=session.agency, action="ehri.coding", target=session.title, ip=ip
    ):
        coding = SessionCoding.objects.select_for_update().filter(
            session=session
        ).first() or session_default_coding(session)
        for name in CODING_FIELDS:
            if name in values:
                value = values[name]
                setattr(coding, name, value.strip() if isinstance(value, str) else value)
        coding.updated_by = actor
        coding.full_clean(exclude=["session", "agency", "updated_by"])
        coding.save()
    return coding


def session_coding_list(*, user) -> list[dict]:
    """The sessions the user may code (an admin: the agency's; a host: theirs), latest first
    (at most SESSION_LIST_LIMIT), with what each coding lacks. Two queries."""
    from .feed import coding_problems

    actor = actor_for(user)
    if actor.agency_id is None:
        return []
    sessions = LiveSession.objects.filter(agency_id=actor.agency_id, is_cancelled=False)
    if not actor.administers_agency(actor.agency_id):
        sessions = sessions.filter(host=user)
    sessions = list(sessions.order_by("-starts_at", "-pk")[:SESSION_LIST_LIMIT])
    codings = {
        row.session_id: row
        for row in SessionCoding.objects.filter(session_id__in=[s.pk for s in sessions])
    }
    return [
        {"session": session, "problems": coding_problems(codings.get(session.pk), session=True)}
        for session in sessions
    ]


def attended(agency, start: datetime.date, end: datetime.date):
    """Registrations marked attended of the agency's people at sessions that ended in
    [start, end] (agency days), with session and user."""
    since, _unused = agency_day_bounds(agency.time_zone, start)
    _unused, until = agency_day_bounds(agency.time_zone, end)
    return (
        Registration.objects.filter(
            status=RegistrationStatus.ATTENDED,
            session__is_cancelled=False,
            session__ends_at__gte=since,
            session__ends_at__lt=until,
            user_id__in=Membership.objects.filter(agency=agency).values("user_id"),
        )
        .select_related("session", "user")
        .order_by("session__ends_at", "pk")
    )


def codings_of_sessions(session_ids) -> dict[int, SessionCoding]:
    """{session id: its coding}. One query."""
    return {row.session_id: row for row in SessionCoding.objects.filter(session_id__in=session_ids)}
