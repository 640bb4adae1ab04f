"""Opening a session to every agency: its trainers ask, a platform admin decides (as courses).

Until a platform admin approves, the session keeps its own audience. Approved, people of every
agency see it and may register (their managers may register them); the roster shows each
person's agency to the host; attendance figures stay per agency (the person's agency's cells).
Every request and decision is in the audit log.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import AuditEvent
from agencies.services import audit_record

from ..access import can_edit_session
from ..models import LiveSession, Sharing


def _audit(*, actor, session, action, before, after):
    audit_record(
        actor=actor,
        agency=session.agency,
        action=action,
        target=str(session.pk),
        outcome=AuditEvent.Outcome.SUCCESS,
        changes={"sharing": [before, after]},
    )


def session_sharing_set(*, actor, session: LiveSession, every_agency: bool) -> LiveSession:
    """The session's trainers ask to open it to every agency (a platform admin approves it at
    once by asking), or take it back to their own agency. Idempotent."""
    acting = actor_for(actor)
    if not (can_edit_session(acting, session) or acting.is_platform_admin):
        raise PermissionDenied
    with transaction.atomic():
        locked = LiveSession.objects.select_for_update().get(pk=session.pk)
        before = locked.sharing
        if every_agency and before in (Sharing.NONE, Sharing.REJECTED):
            after = Sharing.APPROVED if acting.is_platform_admin else Sharing.REQUESTED
        elif not every_agency and before != Sharing.NONE:
            after = Sharing.NONE
        else:
            return locked
        locked.sharing = after
        locked.save(update_fields=["sharing", "updated_at"])
        _audit(
            actor=actor,
            session=locked,
            action="live.sharing_request" if after == Sharing.REQUESTED else "live.sharing_set",
            before=before,
            after=after,
        )
    return locked


def session_sharing_decide(*, actor, session: LiveSession, approve: bool) -> LiveSession:
    """A platform admin approves (open to every agency) or refuses a pending request."""
    if not actor_for(actor).is_platform_admin:
        raise PermissionDenied
    with transaction.atomic():
        locked = LiveSession.objects.select_for_update().get(pk=session.pk)
        if locked.sharing != Sharing.REQUESTED:
            raise ValidationError(_("This request was already decided or withdrawn."))
        locked.sharing = Sharing.APPROVED if approve else Sharing.REJECTED
        locked.save(update_fields=["sharing", "updated_at"])
        _audit(
            actor=actor,
            session=locked,
            action="live.sharing_approve" if approve else "live.sharing_reject",
            before=Sharing.REQUESTED,
            after=locked.sharing,
        )
    return locked
