"""Reminders that a downstream app decides, written to the same exactly-once log.

Live sessions decide who is owed a reminder 24 hours and 1 hour before a session; they do not
send it themselves. `reminders_record` writes one ReminderLog row per reminder under its unique
key and hands the rows it wrote to the sending tasks after commit, so a second run, a duplicate
beat or a concurrent one adds nothing and sends nothing twice. The sender asks the kind's
registered source (`reminders.registries.reminder_sources`) for the message.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists

from ..models import ReminderLog
from ..registries import reminder_source_for, reminder_sources
from .scan import _enqueue, make_key


@dataclass(frozen=True)
class ReminderDraft:
    """One reminder a source owes: `object_id` is what it is about (a session), `period` what
    makes it a new reminder when that thing changes (a session's start, in minutes)."""

    kind: str
    agency_id: int
    recipient_id: int
    object_id: int
    period: int = 0

    @property
    def key(self) -> str:
        return make_key(
            self.kind, period=self.period, step=self.object_id, recipient_id=self.recipient_id
        )


def reminders_record(*, drafts) -> list[int]:
    """Write each draft once (key `kind:0:period:object:recipient`) and enqueue the rows this
    call wrote; keys already written, by an earlier or a concurrent call, are left alone.
    Returns the ids of the rows written. Refuses a kind no source has registered."""
    drafts = {draft.key: draft for draft in drafts}
    if not drafts:
        return []
    for draft in drafts.values():
        if reminder_source_for(draft.kind) is None:
            raise ValueError(f"no reminder source registered for kind {draft.kind!r}")
    known = set(ReminderLog.objects.filter(key__in=list(drafts)).values_list("key", flat=True))
    batch = uuid.uuid4()
    rows = [
        ReminderLog(
            key=key,
            kind=draft.kind,
            step=draft.object_id,
            period=draft.period,
            agency_id=draft.agency_id,
            recipient_id=draft.recipient_id,
            object_id=draft.object_id,
            batch=batch,
        )
        for key, draft in drafts.items()
        if key not in known
    ]
    if not rows:
        return []
    with transaction.atomic():
        ReminderLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # Only the rows this call inserted carry its batch id (a concurrent call's conflict
        # left theirs).
        ids = list(ReminderLog.objects.filter(batch=batch).values_list("pk", flat=True))
        _enqueue(ids)
    return ids


def reminders_logged(*, kind: str, object_id, period) -> Exists:
    """For a source's own query: whether reminders of `kind` about the object in the period are
    logged already (`object_id` and `period` are usually `OuterRef`s to the source's rows), so
    that a run drafts only what is new instead of handing the unique key drafts to discard.
    Served by the partial index `reminder_log_object` (rows with an object only)."""
    return Exists(
        ReminderLog.objects.filter(
            kind=kind, object_id__isnull=False, object_id=object_id, period=period
        )
    )


def sources_record(*, now=None) -> list[int]:
    """Let every registered source that records from reminders' scan (`ReminderSource.record`)
    write what it owes now; the ids of the rows written (each source enqueues its own)."""
    ids = []
    for source in reminder_sources.values():
        if source.record is not None:
            ids.extend(source.record(now))
    return ids
