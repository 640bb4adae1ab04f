"""Registering, cancelling, the waiting list and attendance.

Every change takes the session's row lock first (`select_for_update`), then touches its
registrations: seats are counted and waiting-list positions given under that lock, so under
any number of concurrent requests the seats are never oversold and the list is 1..n with no gap.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.models import Membership

from ..access import audience_q, can_edit_session
from ..models import Accommodation, LiveSession, Registration, RegistrationStatus, Sharing
from . import notices
from .aggregates import attendance_cells_refresh
from .attendance import attendance_to_learning

SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


def cancel_cutoff(session: LiveSession):
    """Until when a registrant may cancel their own place."""
    return session.starts_at - timedelta(hours=settings.LIVE_CANCEL_CUTOFF_HOURS)


def _check_may_register(*, actor, session: LiveSession, user) -> None:
    acting = actor_for(actor)
    membership = Membership.objects.filter(user=user, is_active=True).select_related("unit").first()
    unit_path = membership.unit.path if membership and membership.unit_id else None
    if membership is None or (
        membership.agency_id != session.agency_id and session.sharing != Sharing.APPROVED
    ):
        raise PermissionDenied
    if user.pk != acting.user_id and not acting.sees_member(
        agency_id=membership.agency_id, unit_path=unit_path, user_id=user.pk
    ):
        raise PermissionDenied
    in_audience = LiveSession.objects.filter(
        audience_q(agency_id=membership.agency_id, unit_path=unit_path), pk=session.pk
    ).exists()
    if not in_audience:
        raise ValidationError(_("This session is not open to this person."))


def _free_seats(session: LiveSession) -> int:
    taken = Registration.objects.filter(session=session, status__in=SEATED).count()
    return session.capacity - taken


def registration_create(
    *,
    actor,
    session: LiveSession,
    user=None,
    accommodations: list[str] | tuple = (),
    accommodation_other: str = "",
) -> Registration:
    """Register `user` (default: the actor; a manager may register people of their subtree)
    for an upcoming session: a seat if one is free, else the next place on the waiting list.
    Calling it again for someone already registered or waiting returns their registration."""
    user = user or actor
    unknown = set(accommodations) - set(Accommodation.values)
    if unknown:
        raise ValidationError({"accommodations": _("Choose accommodations from the list.")})
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        _check_may_register(actor=actor, session=session, user=user)
        if session.is_cancelled:
            raise ValidationError(_("This session is cancelled."))
        if session.starts_at <= timezone.now():
            raise ValidationError(_("This session has already started."))
        registration = Registration.objects.filter(session=session, user=user).first()
        if registration is not None and registration.status != RegistrationStatus.CANCELLED:
            return registration
        if _free_seats(session) > 0:
            status, position = RegistrationStatus.REGISTERED, None
        else:
            status = RegistrationStatus.WAITLISTED
            position = (
                Registration.objects.filter(
                    session=session, status=RegistrationStatus.WAITLISTED
                ).count()
                + 1
            )
        fields = dict(
            status=status,
            waitlist_position=position,
            accommodations=sorted(set(accommodations)),
            accommodation_other=accommodation_other.strip()[:300],
            registered_by=actor if actor.pk != user.pk else None,
        )
        if registration is None:
            registration = Registration.objects.create(session=session, user=user, **fields)
        else:
            for key, value in fields.items():
                setattr(registration, key, value)
            registration.sequence += 1
            registration.save(update_fields=[*fields, "sequence", "updated_at"])
        attendance_cells_refresh(session)
        notices.send_on_commit(
            [registration.pk],
            "invite" if status == RegistrationStatus.REGISTERED else "waitlisted",
        )
    return registration


def registrations_place(
    *, session: LiveSession, user_ids, registered_by_id: int | None = None
) -> dict:
    """Give each of `user_ids` a seat while seats are free, then the next waiting-list places
    (in user id order), in bulk: the caller holds the session's row lock, has checked that the
    session is upcoming and not cancelled and that these people may attend it. People already
    registered, waiting or attended keep their place; people who had cancelled get a new one.
    Each newly placed person is sent the invite (or the waiting-list notice) after the commit.
    Seven queries whatever the number of people. Returns {user_id: status}."""
    ids = sorted({int(pk) for pk in user_ids})
    existing = {r.user_id: r for r in Registration.objects.filter(session=session, user_id__in=ids)}
    statuses = {
        uid: r.status for uid, r in existing.items() if r.status != RegistrationStatus.CANCELLED
    }
    to_place = [uid for uid in ids if uid not in statuses]
    if not to_place:
        return statuses
    counts = Registration.objects.filter(session=session).aggregate(
        seated=Count("pk", filter=Q(status__in=SEATED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    free = max(session.capacity - counts["seated"], 0)
    waiting = counts["waiting"]
    now = timezone.now()
    created, revived = [], []
    for index, uid in enumerate(to_place):
        if index < free:
            status, position = RegistrationStatus.REGISTERED, None
        else:
            waiting += 1
            status, position = RegistrationStatus.WAITLISTED, waiting
        statuses[uid] = status
        fields = dict(
            status=status,
            waitlist_position=position,
            accommodations=[],
            accommodation_other="",
            registered_by_id=registered_by_id if registered_by_id != uid else None,
        )
        registration = existing.get(uid)
        if registration is None:
            created.append(Registration(session=session, user_id=uid, **fields))
        else:
            for key, value in fields.items():
                setattr(registration, key, value)
            registration.sequence += 1
            registration.updated_at = now
            revived.append(registration)
    if created:
        Registration.objects.bulk_create(created, batch_size=500)
    if revived:
        Registration.objects.bulk_update(
            revived,
            ["status", "waitlist_position", "accommodations", "accommodation_other"]
            + ["registered_by", "sequence", "updated_at"],
            batch_size=500,
        )
    placed = Registration.objects.filter(session=session, user_id__in=to_place).values_list(
        "pk", "status"
    )
    seated_ids, waiting_ids = [], []
    for pk, status in placed:
        (seated_ids if status == RegistrationStatus.REGISTERED else waiting_ids).append(pk)
    attendance_cells_refresh(session)
    notices.send_many_on_commit(seated_ids, "invite")
    notices.send_many_on_commit(waiting_ids, "waitlisted")
    return statuses


def registration_cancel(*, actor, registration: Registration) -> Registration:
    """Cancel a place (the person themself until the cutoff; the session's trainers and the
    person's managers at any time before the start). A freed seat goes to the first person
    waiting, who is told by email; the waiting list closes up."""
    acting = actor_for(actor)
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=registration.session_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        if registration.status == RegistrationStatus.ATTENDED:
            raise ValidationError(_("An attended session cannot be cancelled."))
        now = timezone.now()
        if session.starts_at <= now:
            raise ValidationError(_("This session has already started."))
        own = registration.user_id == acting.user_id
        if own and not can_edit_session(acting, session) and now > cancel_cutoff(session):
            raise ValidationError(_("Places can no longer be cancelled this close to the start."))
        seat_freed = registration.status == RegistrationStatus.REGISTERED
        position = registration.waitlist_position
        registration.status = RegistrationStatus.CANCELLED
        registration.waitlist_position = None
        registration.sequence += 1
        registration.save(update_fields=["status", "waitlist_position", "sequence", "updated_at"])
        if position is not None:
            _close_gap(session, position)
        notices.send_on_commit([registration.pk], "cancelled")
        if seat_freed:
            promote_waiting(session)
        attendance_cells_refresh(session)
    return registration


def _close_gap(session: LiveSession, position: int) -> None:
    Registration.objects.filter(
        session=session, status=RegistrationStatus.WAITLISTED, waitlist_position__gt=position
    ).update(waitlist_position=F("waitlist_position") - 1)


def promote_waiting(session: LiveSession) -> list[int]:
    """Give free seats to the people waiting, first come first served (the caller holds the
    session's row lock); each promoted person gets the invite. Returns their registration ids."""
    promoted = []
    free = _free_seats(session)
    if free <= 0:
        return promoted
    waiting = list(
        Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("pk", flat=True)[:free]
    )
    if not waiting:
        return promoted
    Registration.objects.filter(pk__in=waiting).update(
        status=RegistrationStatus.REGISTERED,
        waitlist_position=None,
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED).update(
        waitlist_position=F("waitlist_position") - len(waiting)
    )
    notices.send_on_commit(waiting, "promoted")
    return waiting


def attendance_record(*, actor, session: LiveSession, attended_user_ids) -> dict:
    """The host's roster: those in `attended_user_ids` attended, the other registrants did
    not. Only once the session has started. Returns {"attended": n, "absent": m}."""
    acting = actor_for(actor)
    if not can_edit_session(acting, session):
        raise PermissionDenied
    attended_user_ids = {int(pk) for pk in attended_user_ids}
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        if session.starts_at > timezone.now():
            raise ValidationError(_("Attendance can be recorded once the session has started."))
        seated = Registration.objects.filter(session=session, status__in=SEATED)
        unknown = attended_user_ids - set(seated.values_list("user_id", flat=True))
        if unknown:
            raise ValidationError(_("Only registered people can be marked as attending."))
        now = timezone.now()
        seated.filter(user_id__in=attended_user_ids).exclude(
            status=RegistrationStatus.ATTENDED
        ).update(status=RegistrationStatus.ATTENDED, updated_at=now)
        seated.exclude(user_id__in=attended_user_ids).filter(
            status=RegistrationStatus.ATTENDED
        ).update(status=RegistrationStatus.REGISTERED, updated_at=now)
        attendance_cells_refresh(session)
        # Unticking leaves the learning record as it is (see learning.services.attendance).
        attendance_to_learning(session, attended_user_ids)
        counts = {
            "attended": seated.filter(status=RegistrationStatus.ATTENDED).count(),
            "absent": seated.filter(status=RegistrationStatus.REGISTERED).count(),
        }
    return counts
