"""Recurring assignments: when a completed training's next period opens, reopen it.

A period is (number, start, due date) on the Assignee. A completion counts for the period it
falls in; when the next period opens (REMINDERS_RECURRENCE_OPEN_DAYS before its due date), the
enrollment is reopened for it through learning's `enrollment_reopen` (which keeps the earlier
completion and certificate valid for their period) and reminders start again.
"""

from django.db import transaction
from django.utils import timezone

from learning.models import Enrollment, EnrollmentStatus
from learning.services import enrollment_reopen

from .. import conf
from ..models import Assignee
from ..policy import next_period
from .scan import policies_for


def _reopen(enrollment_id: int, *, period: int, due_on) -> bool:
    enrollment_reopen(
        enrollment=Enrollment.objects.get(pk=enrollment_id), period=period, due_on=due_on
    )
    return True


def recurrence_roll(*, now=None) -> int:
    """Open the next period of every recurring assignee whose training is complete and whose
    next period has begun. Idempotent: a rolled row is no longer complete. Returns the count."""
    now = now or timezone.now()
    rows = list(
        Assignee.objects.filter(
            is_active=True,
            assignment__recur_months__isnull=False,
            enrollment__status=EnrollmentStatus.COMPLETED,
        ).values(
            "pk",
            "enrollment_id",
            "agency_id",
            "period",
            "due_on",
            "enrollment__completed_at",
            "assignment__recur_months",
            "assignment__recur_anchor",
            "assignment__due_on",
        )
    )
    if not rows:
        return 0
    policies = policies_for({r["agency_id"] for r in rows})
    rolled = 0
    for row in rows:
        policy = policies[row["agency_id"]]
        completed_on = row["enrollment__completed_at"].astimezone(policy.tz).date()
        opens, due = next_period(
            recur_months=row["assignment__recur_months"],
            anchor=row["assignment__recur_anchor"],
            first_due=row["assignment__due_on"] or row["due_on"],
            current_due=row["due_on"],
            completed_on=completed_on,
            open_days=conf.recurrence_open_days(),
        )
        if opens > policy.today(now):
            continue
        with transaction.atomic():
            locked = (
                Assignee.objects.select_for_update()
                .filter(pk=row["pk"], period=row["period"])
                .first()
            )
            if locked is None:
                continue
            if not _reopen(row["enrollment_id"], period=row["period"] + 1, due_on=due):
                continue
            Assignee.objects.filter(enrollment_id=row["enrollment_id"], is_active=True).update(
                period=row["period"] + 1, period_start=opens, due_on=due, next_remind_at=now
            )
            rolled += 1
    return rolled
