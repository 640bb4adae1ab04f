"""People's actions: nudges by managers, policy edits, preferences, reading notifications."""

import contextlib
import datetime
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.cache import get_prefetched
from agencies.access import actor_for
from agencies.models import Agency, AuditEvent
from agencies.services import audited, diff
from learning.models import EnrollmentStatus

from .. import conf
from ..models import (
    Assignee,
    Kind,
    Notification,
    ReminderLog,
    ReminderPolicy,
    ReminderPreference,
)
from ..selectors import nudge_day, overdue_managed, overdue_reminder_targets
from .scan import _enqueue, make_key
from .sending import unread_cache_key

NUDGE_ALL_ACTION = "reminder.nudge_overdue"


def _nudge_log(actor, assignee: Assignee, now) -> ReminderLog:
    key = make_key(
        Kind.NUDGE,
        enrollment_id=assignee.enrollment_id,
        period=assignee.period,
        step=nudge_day(now),
        recipient_id=assignee.user_id,
    )
    return ReminderLog(
        key=key,
        kind=Kind.NUDGE,
        step=nudge_day(now),
        period=assignee.period,
        agency_id=assignee.agency_id,
        recipient_id=assignee.user_id,
        enrollment_id=assignee.enrollment_id,
        created_by=actor,
    )


def reminder_nudge(*, actor, assignee: Assignee, now=None, ip=None) -> ReminderLog:
    """A manager reminds one person now, through the reminder log.

    Refused when the person was already nudged about this training today, when the training
    is complete or no longer assigned, or when the manager has sent REMINDERS_NUDGES_PER_HOUR
    nudges in the past hour. The caller has checked that the assignee is in the actor's scope.
    """
    now = now or timezone.now()
    with audited(
        actor=actor,
        agency=assignee.agency,
        action="reminder.nudge",
        target=assignee.user.email,
        ip=ip,
        detail={"enrollment": assignee.enrollment_id},
    ):
        if not actor_for(actor).manages_people:
            raise ValidationError(_("You cannot send reminders."))
        if not assignee.is_active or assignee.enrollment.status == EnrollmentStatus.COMPLETED:
            raise ValidationError(
                _("This training is no longer due, so there is nothing to remind.")
            )
        recent = ReminderLog.objects.filter(
            created_by=actor, kind=Kind.NUDGE, created_at__gte=now - datetime.timedelta(hours=1)
        ).count()
        if recent >= conf.nudges_per_hour():
            raise ValidationError(
                _("You have sent many reminders in the past hour. Please wait before sending more.")
            )
        try:
            with transaction.atomic():
                log = _nudge_log(actor, assignee, now)
                log.save()
        except IntegrityError:
            raise ValidationError(
                _("%(name)s has already been reminded about this today.") % {"name": assignee.user}
            ) from None
        _enqueue([log.pk])
    return log


def reminder_nudge_overdue(
    *, actor, agency=None, unit=None, course_ids=None, now=None, ip=None
) -> int:
    """Remind everyone overdue among the people the manager manages (narrowed to an agency, a
    unit subtree or courses they may see, as the overdue page shows them); once per hour per
    manager.

    Overdue is the one definition, `selectors.overdue_managed`; only assigned training can be
    reminded, and people already nudged today about the same training are left out, as
    `selectors.overdue_reminder_summary` counts them for the confirmation page. Returns how
    many reminders were queued.
    """
    now = now or timezone.now()
    who = actor_for(actor)
    agency_row = Agency.objects.filter(pk=who.agency_id).first()
    with audited(
        actor=actor,
        agency=agency_row,
        action=NUDGE_ALL_ACTION,
        ip=ip,
        detail={
            "agency": agency.pk if agency else None,
            "unit": unit.pk if unit else None,
            "courses": list(course_ids) if course_ids is not None else None,
        },
    ):
        if not who.manages_people:
            raise ValidationError(_("You cannot send reminders."))
        if AuditEvent.objects.filter(
            actor=actor,
            action=NUDGE_ALL_ACTION,
            outcome=AuditEvent.Outcome.SUCCESS,
            created_at__gte=now - datetime.timedelta(hours=1),
        ).exists():
            raise ValidationError(
                _(
                    "You reminded everyone overdue less than an hour ago. "
                    "Please wait before doing it again."
                )
            )
        batch = uuid.uuid4()
        logs = {}
        overdue = overdue_managed(
            user=actor, agency=agency, unit=unit, course_ids=course_ids, now=now
        )
        for assignee in overdue_reminder_targets(enrollments=overdue, now=now).only(
            "enrollment_id", "period", "agency_id", "user_id"
        ):
            log = _nudge_log(actor, assignee, now)
            log.batch = batch
            logs[log.key] = log
        ReminderLog.objects.bulk_create(logs.values(), ignore_conflicts=True, batch_size=1000)
        ids = list(ReminderLog.objects.filter(batch=batch).values_list("pk", flat=True))
        _enqueue(ids)
    return len(ids)


def policy_update(*, actor, agency, ip=None, **fields) -> ReminderPolicy:
    """Agency admins set their agency's reminder policy; every assignee is looked at again."""
    who = actor_for(actor)
    with audited(
        actor=actor,
        agency=agency,
        action="reminder.policy",
        ip=ip,
        detail={k: v for k, v in fields.items()},
    ) as entry:
        if not who.administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can change its reminder policy."))
        days = sorted({int(d) for d in fields.get("before_days", [14, 7, 1])}, reverse=True)
        if any(d < 1 or d > 365 for d in days):
            raise ValidationError(_("Days before the due date must be between 1 and 365."))
        fields["before_days"] = days
        if "expiry_before_days" in fields:
            expiry = sorted({int(d) for d in fields["expiry_before_days"]}, reverse=True)
            if any(d < 1 or d > 365 for d in expiry):
                raise ValidationError(
                    _("Days before a certificate expires must be between 1 and 365.")
                )
            fields["expiry_before_days"] = expiry
        current = ReminderPolicy.objects.filter(agency=agency).first() or ReminderPolicy()
        before = {name: getattr(current, name) for name in fields}
        policy, _created = ReminderPolicy.objects.update_or_create(agency=agency, defaults=fields)
        entry.changes = diff(before, {name: getattr(policy, name) for name in fields})
        Assignee.objects.filter(agency=agency, is_active=True).update(next_remind_at=timezone.now())
    return policy


def preference_update(*, user, recommended_digest: bool, language: str = "") -> ReminderPreference:
    pref, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"recommended_digest": recommended_digest, "language": language}
    )
    return pref


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    count = rows.update(read_at=timezone.now())
    with contextlib.suppress(Exception):  # an unreachable cache has nothing to forget
        cache.delete(unread_cache_key(user.pk))
    return count


def unread_count(user) -> int:
    """The bell's number, cached per user until a notification arrives or is read (counted
    afresh while the cache is unreachable)."""
    key = unread_cache_key(user.pk)
    try:
        count = get_prefetched(key)  # read with the user's session (academy.cache)
    except Exception:  # noqa: BLE001 - an unreachable cache (Redis restarting)
        return Notification.objects.filter(user=user, read_at__isnull=True).count()
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        with contextlib.suppress(Exception):
            cache.set(key, count, 3600)
    return count


def notification_send(*, user, title: str, body: str, url: str, email: bool = True) -> Notification:
    """Tell `user` something in the app (the bell) and, once the transaction commits, by email
    (`url` made absolute with SITE_URL). For one-off messages of other apps (a practice review);
    reminders that must be sent exactly once go through ReminderLog instead."""
    notification = Notification.objects.create(user=user, title=title[:300], body=body, url=url)

    def after_commit():
        with contextlib.suppress(Exception):  # an unreachable cache has nothing to forget
            cache.delete(unread_cache_key(user.pk))
        if email and user.email:
            link = settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url
            send_mail(title, f"{body}\n\n{link}".strip(), None, [user.email], fail_silently=True)

    transaction.on_commit(after_commit)
    return notification
