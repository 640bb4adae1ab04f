"""The scanner: decide which reminders are due and record each one once in ReminderLog.

The scan reads Assignee rows whose `next_remind_at` has come (one indexed range query), locks
them with SKIP LOCKED so concurrent scans share the work instead of repeating it, inserts one
ReminderLog row per reminder with INSERT ... ON CONFLICT DO NOTHING on its unique key (so a
second scan, a duplicate beat or a retried task adds nothing), moves each row's
`next_remind_at` to its next step, and after commit hands the new log ids to sending tasks.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from agencies.selectors import managers_up_the_tree, nearest_managers
from learning.models import EnrollmentStatus

from .. import conf
from ..models import Assignee, Kind, ReminderLog, ReminderPolicy, ReminderPreference
from ..policy import Policy, current_step, escalation_day, iso_week_step, next_look


def make_key(kind, *, enrollment_id=0, period=0, step=0, recipient_id) -> str:
    return f"{kind}:{enrollment_id or 0}:{period}:{step}:{recipient_id}"


@dataclass
class ScanResult:
    looked_at: int = 0
    log_ids: list = field(default_factory=list)

    @property
    def more(self):
        return self.looked_at >= conf.scan_limit()


def policies_for(agency_ids) -> dict[int, Policy]:
    rows = {p.agency_id: p for p in ReminderPolicy.objects.filter(agency_id__in=agency_ids)}
    return {
        a.pk: Policy.for_agency(a, rows.get(a.pk)) for a in Agency.objects.filter(pk__in=agency_ids)
    }


def _enqueue(log_ids):
    if not log_ids:
        return
    from ..tasks import reminder_send_task  # tasks.py imports this package

    size = conf.chunk_size()
    chunks = [log_ids[i : i + size] for i in range(0, len(log_ids), size)]
    transaction.on_commit(lambda: [reminder_send_task.delay(chunk) for chunk in chunks])


def reminders_scan(*, now=None, limit: int | None = None) -> ScanResult:
    """Record every learner reminder and escalation that has come due, once; enqueue sending.

    Looks at up to `limit` assignees whose next look has come; `ScanResult.more` says whether
    to call again. Safe to run concurrently and repeatedly.
    """
    now = now or timezone.now()
    limit = limit or conf.scan_limit()
    batch = uuid.uuid4()
    result = ScanResult()
    with transaction.atomic():
        rows = list(
            Assignee.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(is_active=True, next_remind_at__lte=now)
            .order_by("next_remind_at")
            .values(
                "pk",
                "enrollment_id",
                "user_id",
                "agency_id",
                "unit_path",
                "required",
                "period",
                "period_start",
                "due_on",
                "enrollment__status",
            )[:limit]
        )
        result.looked_at = len(rows)
        if not rows:
            return result
        policies = policies_for({r["agency_id"] for r in rows})
        digest_people = set(
            ReminderPreference.objects.filter(
                recommended_digest=True,
                user_id__in={r["user_id"] for r in rows if not r["required"]},
            ).values_list("user_id", flat=True)
        )
        logs: dict[str, ReminderLog] = {}
        escalate = []
        next_at = defaultdict(list)
        for row in rows:
            if row["enrollment__status"] == EnrollmentStatus.COMPLETED:
                next_at[None].append(row["pk"])  # the recurrence roller wakes it up again
                continue
            policy = policies[row["agency_id"]]
            day = policy.send_day(now)  # the latest day whose reminders are due to go out
            # Lateness never counts days before the person was assigned (or the period
            # opened): a due date earlier than that (rows from before due dates were checked)
            # counts as due on that day, so no instant overdue notice or escalation.
            due_on = max(row["due_on"], row["period_start"])
            step = current_step(policy, due_on, day)
            if step and not (not row["required"] and row["user_id"] in digest_people):
                kind, number, _ = step
                key = make_key(
                    kind,
                    enrollment_id=row["enrollment_id"],
                    period=row["period"],
                    step=number,
                    recipient_id=row["user_id"],
                )
                logs[key] = ReminderLog(
                    key=key,
                    kind=kind,
                    step=number,
                    period=row["period"],
                    agency_id=row["agency_id"],
                    recipient_id=row["user_id"],
                    enrollment_id=row["enrollment_id"],
                    batch=batch,
                )
            if row["required"] and day >= escalation_day(policy, due_on):
                escalate.append(row)
            next_at[policy.send_at(next_look(policy, due_on, day))].append(row["pk"])
        if escalate:
            managers = managers_up_the_tree({r["unit_path"] for r in escalate})
            for row in escalate:
                for manager_id in [m.pk for m in nearest_managers(managers, row["unit_path"])]:
                    key = make_key(
                        Kind.ESCALATION,
                        enrollment_id=row["enrollment_id"],
                        period=row["period"],
                        recipient_id=manager_id,
                    )
                    logs[key] = ReminderLog(
                        key=key,
                        kind=Kind.ESCALATION,
                        period=row["period"],
                        agency_id=row["agency_id"],
                        recipient_id=manager_id,
                        enrollment_id=row["enrollment_id"],
                        batch=batch,
                    )
        for moment, ids in next_at.items():
            Assignee.objects.filter(pk__in=ids).update(next_remind_at=moment)
        ReminderLog.objects.bulk_create(logs.values(), ignore_conflicts=True, batch_size=1000)
        # Only the rows this scan inserted carry its batch id: the others were already decided.
        result.log_ids = list(ReminderLog.objects.filter(batch=batch).values_list("pk", flat=True))
        _enqueue(result.log_ids)
    return result


def digests_scan(*, now=None) -> list[int]:
    """On each agency's digest day, record one weekly digest per manager and per learner who
    chose the digest for recommended training (key: recipient and ISO week). Contents are
    computed when sending; an empty digest is skipped, not sent."""
    now = now or timezone.now()
    batch = uuid.uuid4()
    agency_ids = list(
        Agency.objects.filter(is_active=True, assignments__removed_at__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    policies = policies_for(agency_ids)
    due_today = {}
    for agency_id, policy in policies.items():
        day = policy.send_day(now)
        if day.weekday() == policy.digest_weekday:
            due_today[agency_id] = iso_week_step(day)
    if not due_today:
        return []
    logs = []
    for agency_id, user_id in Membership.objects.filter(
        agency_id__in=due_today,
        role=Role.MANAGER,
        is_active=True,
        unit__isnull=False,
        user__is_active=True,
    ).values_list("agency_id", "user_id"):
        step = due_today[agency_id]
        logs.append(
            ReminderLog(
                key=make_key(Kind.MANAGER_DIGEST, step=step, recipient_id=user_id),
                kind=Kind.MANAGER_DIGEST,
                step=step,
                agency_id=agency_id,
                recipient_id=user_id,
                batch=batch,
            )
        )
    for agency_id, user_id in Membership.objects.filter(
        agency_id__in=due_today, is_active=True, user__reminder_preference__recommended_digest=True
    ).values_list("agency_id", "user_id"):
        step = due_today[agency_id]
        logs.append(
            ReminderLog(
                key=make_key(Kind.LEARNER_DIGEST, step=step, recipient_id=user_id),
                kind=Kind.LEARNER_DIGEST,
                step=step,
                agency_id=agency_id,
                recipient_id=user_id,
                batch=batch,
            )
        )
    with transaction.atomic():
        ReminderLog.objects.bulk_create(logs, ignore_conflicts=True, batch_size=1000)
        ids = list(ReminderLog.objects.filter(batch=batch).values_list("pk", flat=True))
        _enqueue(ids)
    return ids
