"""Live sessions in the feed: an attended session is a completion of each attendee's agency,
coded by the session's host or its agency's admins (the owner's SessionCoding); an agency the
session is shared with may override that coding for its own feed (its own SessionCoding row,
set by its admins; the owner's row is never touched)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from agencies.dates import agency_day_bounds
from agencies.models import Agency, Membership
from live.models import Format, LiveSession, Registration, RegistrationStatus, Sharing

from .codes import ONLINE_SELF_PACED
from .models import SessionCoding

DELIVERY_BY_FORMAT = {
    Format.ONLINE: "Technology Based",
    Format.IN_PERSON: "Traditional Classroom (no technology)",
    Format.HYBRID: "Blended",
}
SESSION_LIST_LIMIT = 200


def can_code_session(actor, session) -> bool:
    """The session's host, or an admin of the session's agency (the owner's coding)."""
    acting = actor_for(actor)
    return session.host_id == getattr(actor, "pk", None) or acting.administers_agency(
        session.agency_id
    )


def can_override_session(actor, session, *, has_override: bool = False) -> bool:
    """An admin of another agency, for a session shared with every agency (approved), or one
    whose override that agency already keeps (the sharing was withdrawn since)."""
    acting = actor_for(actor)
    return (
        acting.is_agency_admin
        and acting.agency_id is not None
        and acting.agency_id != session.agency_id
        and (session.sharing == Sharing.APPROVED or has_override)
    )


def _has_override(agency_id, session) -> bool:
    return SessionCoding.objects.filter(session=session, agency_id=agency_id).exists()


def access_session_for_coding(user, session_id) -> LiveSession:
    """A session the user may code (the owner's coding) or override (its own agency's
    coding of a shared session), or 404 (missing or forbidden alike)."""
    session = (
        LiveSession.objects.select_related("agency").filter(pk=session_id).first()
        if str(session_id).isdigit()
        else None
    )
    if session is None:
        raise Http404
    if can_code_session(user, session):
        return session
    acting = actor_for(user)
    if can_override_session(user, session) or (
        can_override_session(user, session, has_override=True)
        and _has_override(acting.agency_id, session)
    ):
        return session
    raise Http404


def is_override(user, session) -> bool:
    """Whether what `user` codes for `session` is an override (another agency's session)."""
    return not can_code_session(user, session)


def session_codings_for(*, session, agency_id) -> tuple[SessionCoding | None, SessionCoding | None]:
    """(the agency's own row, the owner's row when the session is another agency's). One
    query."""
    rows = {
        row.agency_id: row
        for row in SessionCoding.objects.filter(
            session=session, agency_id__in={agency_id, session.agency_id}
        )
    }
    owner = rows.get(session.agency_id) if session.agency_id != agency_id else None
    return rows.get(agency_id), owner


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
    """Save a session's coding: the owner's (its host or its agency's admins), or, for an
    admin of an agency the session is shared with, that agency's override (its own row; the
    owner's row is never touched)."""
    from .services import CODING_FIELDS

    acting = actor_for(actor)
    if can_code_session(actor, session):
        agency_id = session.agency_id
    elif acting.agency_id is not None and can_override_session(
        actor, session, has_override=_has_override(acting.agency_id, session)
    ):
        agency_id = acting.agency_id
    else:
        raise PermissionDenied(_("You cannot code this session."))
    agency = session.agency if agency_id == session.agency_id else Agency.objects.get(pk=agency_id)
    with audited(actor=actor, agency=agency, action="ehri.coding", target=session.title, ip=ip):
        coding = (
            SessionCoding.objects.select_for_update()
            .filter(session=session, agency_id=agency_id)
            .first()
        )
        if coding is None:
            coding = session_default_coding(session)
            coding.agency_id = agency_id
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
        for row in SessionCoding.objects.filter(
            session_id__in=[s.pk for s in sessions], agency_id=actor.agency_id
        )
    }
    return [
        {"session": session, "problems": coding_problems(codings.get(session.pk), session=True)}
        for session in sessions
    ]


def shared_session_list(*, user) -> list[dict]:
    """For an agency admin: the other agencies' sessions shared with every agency (or whose
    override the agency keeps), latest first (at most SESSION_LIST_LIMIT), each with the
    coding that applies to the agency's feed (its override, else the owner's) and what it
    lacks. Two queries."""
    from .feed import coding_problems

    actor = actor_for(user)
    if actor.agency_id is None or not actor.administers_agency(actor.agency_id):
        return []
    overridden = SessionCoding.objects.filter(agency_id=actor.agency_id).values("session_id")
    sessions = list(
        LiveSession.objects.filter(Q(sharing=Sharing.APPROVED) | Q(pk__in=overridden))
        .filter(is_cancelled=False)
        .exclude(agency_id=actor.agency_id)
        .select_related("agency")
        .order_by("-starts_at", "-pk")[:SESSION_LIST_LIMIT]
    )
    codings = codings_of_sessions(actor.agency_id, [s.pk for s in sessions])
    rows = []
    for session in sessions:
        coding = codings.get(session.pk)
        rows.append(
            {
                "session": session,
                "override": coding is not None and coding.agency_id == actor.agency_id,
                "problems": coding_problems(coding, session=True),
            }
        )
    return rows


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


def codings_of_sessions(agency_id, session_ids) -> dict[int, SessionCoding]:
    """{session id: the coding that applies for `agency_id`}: its own override, else the
    owner's coding (the row of the session's agency). One query."""
    chosen = {}
    rows = SessionCoding.objects.filter(session_id__in=session_ids).filter(
        Q(agency_id=agency_id) | Q(agency_id=F("session__agency_id"))
    )
    for row in rows:
        if row.agency_id == agency_id or row.session_id not in chosen:
            chosen[row.session_id] = row
    return chosen
