"""Sending reminders exactly once.

A log row moves pending -> sending (claimed, committed) -> sent | pending (retry) | failed |
skipped. The claim is committed *before* the message is handed to the mail backend, and only
'pending' rows are ever claimed, so nothing can send a row twice: a retried task, a second
task for the same ids, or a second worker finds the row no longer pending and leaves it.

A worker killed between the claim and marking the row sent leaves it 'sending', and the
message may or may not have gone out. `reminders_sweep` puts such rows back to 'pending' after
REMINDERS_STALE_SENDING_SECONDS and they are sent again with the same Message-ID
(`messages.reminder_message_id`), so a mail system that got the first copy keeps one: every
reminder arrives, and a crash can at worst hand the same message over twice, never two different
messages. A row that has used up REMINDERS_MAX_ATTEMPTS is marked failed instead. The sweep also
requeues 'pending' rows whose task was lost (a broker that lost its queue).

A database outage while a chunk is being sent does not leave its rows to the sweep: the
messages have gone, so the worker keeps trying to record them until the database answers again
(REMINDERS_RECORD_RETRY_SECONDS), and nobody gets the same message twice.
"""

import contextlib
import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as database
from django.db.models import F
from django.utils import timezone

from .. import conf
from ..models import Assignee, LogStatus, Notification, ReminderLog
from ..registries import reminder_source_for
from .messages import (
    Context,
    build_message,
    build_source_message,
    load_preferences,
    moot_reason,
)
from .scan import policies_for

logger = logging.getLogger(__name__)

# What psycopg and Django raise while the database restarts, fails over or cannot be reached.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


@dataclass
class SendResult:
    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    retry: dict = field(default_factory=dict)  # log id -> attempts so far


def unread_cache_key(user_id) -> str:
    return f"reminders:unread:{user_id}"


def backoff_seconds(attempts: int) -> int:
    return conf.retry_base_seconds() * 2 ** max(0, attempts - 1)


def _claim(log_ids, now) -> list[int]:
    """Move pending rows to 'sending' and return their ids; rows another worker holds (locked)
    or already handled are left alone."""
    with transaction.atomic():
        ids = list(
            ReminderLog.objects.select_for_update(skip_locked=True)
            .filter(pk__in=log_ids, status=LogStatus.PENDING)
            .values_list("pk", flat=True)
        )
        if ids:
            ReminderLog.objects.filter(pk__in=ids, status=LogStatus.PENDING).update(
                status=LogStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def _prepare_sourced(logs, now) -> dict:
    """Ask each registered source for the messages of its rows in this chunk (one call per
    source, so its queries stay bounded whatever the chunk's size)."""
    by_source = defaultdict(list)
    for log in logs:
        source = reminder_source_for(log.kind)
        if source is not None:
            by_source[source].append(log)
    prepared = {}
    for source, rows in by_source.items():
        prepared.update(source.prepare(rows, now))
    return prepared


def _context(logs, now) -> Context:
    enrollment_ids = {log.enrollment_id for log in logs if log.enrollment_id}
    assignees = defaultdict(list)
    for row in Assignee.objects.filter(enrollment_id__in=enrollment_ids, is_active=True).values(
        "enrollment_id", "period", "required", "due_on"
    ):
        assignees[row["enrollment_id"]].append(row)
    return Context(
        assignees=assignees,
        preferences=load_preferences({log.recipient_id for log in logs}),
        policies=policies_for({log.agency_id for log in logs}),
        now=now,
    )


def reminders_send(*, log_ids, now=None) -> SendResult:
    """Send the pending reminders among `log_ids` over one mail connection.

    Each claimed row ends sent (with its in-app notification), skipped (moot: completed,
    assignment removed, period over, digest preferred, nothing to report), pending again for a
    retry (the send raised; `SendResult.retry` says after how many attempts), or failed once
    REMINDERS_MAX_ATTEMPTS is reached.
    """
    now = now or timezone.now()
    result = SendResult()
    claimed = _claim(list(log_ids), now)
    if not claimed:
        return result
    logs = list(
        ReminderLog.objects.filter(pk__in=claimed).select_related(
            "recipient", "agency", "enrollment__course", "enrollment__user"
        )
    )
    ctx = _context(logs, now)
    sourced = _prepare_sourced(logs, now)
    notifications, errors, reasons = [], {}, {}
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - any transport error: retry the whole chunk
        errors = {log.pk: f"{type(error).__name__}: {error}" for log in logs}
        logs = []
    for log in logs:
        reason = moot_reason(log, ctx)
        message = notification = None
        if not reason and reminder_source_for(log.kind) is not None:
            message, notification, reason = build_source_message(log, sourced, connection)
        elif not reason:
            message, notification = build_message(log, ctx, connection)
            reason = "" if message else "nothing to report"
        if reason:
            reasons[log.pk] = reason
            continue
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - SMTP and socket errors alike
            errors[log.pk] = f"{type(error).__name__}: {error}"[:1000]
            continue
        result.sent.append(log.pk)
        notifications.append(Notification(user_id=log.recipient_id, log_id=log.pk, **notification))
    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110 - the messages are already accepted
        pass
    _record_when_reachable(result, notifications, reasons, errors, claimed, now)
    return result


def _record_when_reachable(*args):
    """The messages have been handed over: write that down, waiting out a database outage
    rather than leaving the rows 'sending' (which the sweep would send again)."""
    deadline = time.monotonic() + conf.record_retry_seconds()
    pause = 0.5
    while True:
        try:
            return _record(*args)
        except DATABASE_UNREACHABLE as error:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("Database unreachable while recording sent reminders: %s", error)
            time.sleep(pause)
            pause = min(pause * 2, 2)
            _drop_broken_connection()


def _drop_broken_connection():
    """Django reconnects only once its broken connection is closed."""
    with contextlib.suppress(*DATABASE_UNREACHABLE):
        if database.connection is not None and not database.is_usable():
            database.close()


def _record(result, notifications, reasons, errors, claimed, now):
    result.failed, result.retry = [], {}  # filled below; this may run again after an outage
    sent_at = timezone.now()
    attempts = dict(ReminderLog.objects.filter(pk__in=errors).values_list("pk", "attempts"))
    with transaction.atomic():
        if result.sent:
            ReminderLog.objects.filter(pk__in=result.sent).update(
                status=LogStatus.SENT, sent_at=sent_at
            )
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        by_reason = defaultdict(list)
        for pk, reason in reasons.items():
            by_reason[reason].append(pk)
        for reason, ids in by_reason.items():
            ReminderLog.objects.filter(pk__in=ids).update(
                status=LogStatus.SKIPPED, last_error=reason
            )
        for pk, error in errors.items():
            if attempts.get(pk, 0) >= conf.max_attempts():
                status = LogStatus.FAILED
                result.failed.append(pk)
            else:
                status = LogStatus.PENDING
                result.retry[pk] = attempts.get(pk, 0)
            ReminderLog.objects.filter(pk=pk, status=LogStatus.SENDING).update(
                status=status, last_error=error
            )
    result.skipped = list(reasons)
    try:
        cache.delete_many([unread_cache_key(n.user_id) for n in notifications])
    except Exception as error:  # noqa: BLE001 - the rows are recorded; a stale count expires
        logger.warning("Could not reset unread counts in the cache: %s", error)


def reminders_sweep(*, now=None) -> dict:
    """Housekeeping: rows stuck in 'sending' (their worker died) go back to 'pending' to be sent
    again with the same Message-ID, or to 'failed' once out of attempts; 'pending' rows whose
    task seems lost are returned, to be enqueued again."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=conf.stale_after_seconds())
    interrupted = ReminderLog.objects.filter(status=LogStatus.SENDING, claimed_at__lt=stale)
    failed = interrupted.filter(attempts__gte=conf.max_attempts()).update(
        status=LogStatus.FAILED,
        last_error="interrupted while sending, and out of attempts",
    )
    resent = list(interrupted.values_list("pk", flat=True))
    interrupted.filter(pk__in=resent).update(
        status=LogStatus.PENDING,
        last_error="interrupted while sending; sent again with the same Message-ID",
    )
    lost = now - datetime.timedelta(seconds=conf.requeue_after_seconds())
    pending = list(
        ReminderLog.objects.filter(status=LogStatus.PENDING, created_at__lt=lost)
        .exclude(attempts__gt=0, claimed_at__gte=lost)
        .exclude(pk__in=resent)
        .order_by("pk")
        .values_list("pk", flat=True)[:50000]
    )
    return {"failed": failed, "resent": len(resent), "requeue": resent + pending}
