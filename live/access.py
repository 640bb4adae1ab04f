"""Who may see, schedule, edit and register for which live session. Lookups answer 404
whether the session is missing or forbidden, so ids leak nothing."""

from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.http import Http404

from agencies.access import Actor, actor_for

from .models import LiveSession, Registration, Sharing


def ancestor_paths(unit_path: str | None) -> list[str]:
    """ "/3/17/42/" -> ["/3/", "/3/17/", "/3/17/42/"]: the unit and every unit above it."""
    if not unit_path:
        return []
    parts = [p for p in unit_path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def audience_q(*, agency_id, unit_path: str | None, prefix: str = "") -> Q:
    """Sessions whose audience includes a member of `agency_id` placed at `unit_path`: the
    agency's sessions with no unit, or with one of the person's unit or a unit above it; and
    every session shared with every agency once a platform admin approved."""
    units = LiveSession.units.through.objects.filter(livesession_id=OuterRef(f"{prefix}pk"))
    # The person's unit or a unit above it: one whose path starts the person's ("/3/17/42/"
    # starts with "/3/17/", never with "/3/1/"), so `unit_path` is one parameter whatever its
    # depth and a query built on this can be prepared (academy.prepared). None: no unit.
    person = Value(unit_path, output_field=CharField())
    own = Q(**{f"{prefix}agency_id": agency_id}) & (
        ~Exists(units) | Exists(units.filter(StartsWith(person, F("unit__path"))))
    )
    return own | Q(**{f"{prefix}sharing": Sharing.APPROVED})


def audience_contains(
    session: LiveSession, *, session_unit_paths, agency_id, unit_path: str | None
) -> bool:
    """`audience_q` for one session already loaded (with the paths of its units), in Python:
    whether a member of `agency_id` placed at `unit_path` is in the session's audience."""
    if session.sharing == Sharing.APPROVED:
        return True
    if agency_id != session.agency_id:
        return False
    return not session_unit_paths or bool(set(ancestor_paths(unit_path)) & set(session_unit_paths))


def can_schedule(actor: Actor) -> bool:
    """Trainers and agency admins schedule their agency's sessions."""
    return actor.is_trainer and actor.agency_id is not None


def can_edit_session(actor: Actor, session: LiveSession) -> bool:
    """The agency's trainers and admins edit its sessions (the host is one of them)."""
    return can_schedule(actor) and actor.agency_id == session.agency_id


def sessions_visible_q(actor: Actor) -> Q:
    """Sessions the actor may open: a platform admin all; the agency's trainers all of the
    agency's; anyone else those whose audience includes them."""
    if actor.is_platform_admin:
        return Q()
    if actor.agency_id is None:
        return Q(pk__in=[])
    if can_schedule(actor) or actor.manages_people:
        return Q(agency_id=actor.agency_id) | Q(sharing=Sharing.APPROVED)
    return audience_q(agency_id=actor.agency_id, unit_path=actor.unit_path)


def access_session(user, session_id) -> LiveSession:
    """A session the user may see, or 404."""
    try:
        return (
            LiveSession.objects.filter(sessions_visible_q(actor_for(user)))
            .select_related("host", "agency", "course", "path")
            .get(pk=session_id)
        )
    except (LiveSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_session_for_edit(user, session_id) -> LiveSession:
    """A session the user may edit (trainers of its agency), or 404."""
    session = access_session(user, session_id)
    if not can_edit_session(actor_for(user), session):
        raise Http404
    return session


def access_registration(user, registration_id) -> Registration:
    """A registration the user may act on: their own, or one of a session they may edit, or
    one of a person they manage; else 404."""
    actor = actor_for(user)
    try:
        registration = Registration.objects.select_related("session", "user__membership__unit").get(
            pk=registration_id
        )
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if registration.user_id == actor.user_id or can_edit_session(actor, registration.session):
        return registration
    membership = getattr(registration.user, "membership", None)
    if membership and actor.sees_member(
        agency_id=membership.agency_id,
        unit_path=membership.unit.path if membership.unit_id else None,
        user_id=registration.user_id,
    ):
        return registration
    raise Http404
