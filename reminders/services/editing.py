"""Editing an assignment after it was made: its due date for everyone, and per-person
exceptions (an extension to a later date, or an exemption), each with a reason, audited.

Due dates live on the Assignee rows (what the scanner reads) and, through learning's bulk
service `enrollments_set_terms`, on the enrollments (what dashboards and the learner read):
`enrollments_follow_assignments` derives the latter from the former, the one rule also used
when an assignment is removed.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.services import audited
from learning.models import EnrollmentStatus

from ..access import assignees_visible_to, assignments_visible_to
from ..models import Assignee, Assignment, AssignmentException, ExceptionKind, RecurAnchor
from .assignments import check_due_date, enrollments_follow_assignments


def _require(condition, message, field=None):
    if not condition:
        raise ValidationError({field: [message]} if field else message)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    _require(reason, _("Give a reason; it is kept in the audit log."), "reason")
    return reason


def _iso(day):
    return day.isoformat() if day else None


def assignment_update_due(
    *,
    actor,
    assignment: Assignment,
    due_on: datetime.date | None = None,
    due_days: int | None = None,
    reason: str,
    ip=None,
    now=None,
) -> int:
    """Change an assignment's due date, for everyone it reaches: a date (today or later, in
    the agency's time zone), or N days after the day each person was assigned.

    Applies to the Assignee rows of the first period that carry no exception of their own
    (extended and exempted people keep theirs; later periods of a recurring assignment keep
    the dates the recurrence gave them), then to their enrollments through learning's
    `enrollments_set_terms` (an enrollment keeps the earliest date its live assignments ask).
    Their reminders are looked at again at once. Refuses (ValidationError, audited) a date
    before today, a missing reason, a removed assignment, and anyone who does not see the
    assignment (PermissionDenied). Returns how many people's dates changed.
    """
    now = now or timezone.now()
    who = actor_for(actor)
    if (
        not who.manages_people
        or not assignments_visible_to(actor).filter(pk=assignment.pk).exists()
    ):
        raise PermissionDenied
    with audited(
        actor=actor,
        agency=assignment.agency,
        action="assignment.update",
        target=str(assignment),
        ip=ip,
        detail={
            "assignment": assignment.pk,
            "reason": (reason or "").strip(),
            "before": {"due_on": _iso(assignment.due_on), "due_days": assignment.due_days},
            "after": {"due_on": _iso(due_on), "due_days": due_days},
        },
    ):
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        _require(assignment.removed_at is None, _("This assignment has been removed."))
        _require(
            (due_on is None) != (due_days is None),
            _("Give either a due date or a number of days after assignment."),
        )
        _require(due_days is None or due_days >= 1, _("Give a number of days of at least 1."))
        check_due_date(agency=assignment.agency, due_on=due_on, now=now)
        _require(
            assignment.recur_anchor != RecurAnchor.CALENDAR or due_on is not None,
            _("A calendar repetition needs a due date."),
        )
        _reason(reason)
        assignment.due_on, assignment.due_days = due_on, due_days
        assignment.save(update_fields=["due_on", "due_days"])
        rows = Assignee.objects.filter(assignment=assignment, period=1, exception="")
        groups: dict[datetime.date, list[int]] = defaultdict(list)
        enrollment_ids = set()
        for pk, enrollment_id, period_start, current in rows.values_list(
            "pk", "enrollment_id", "period_start", "due_on"
        ):
            new = due_on or period_start + datetime.timedelta(days=due_days)
            if new != current:
                groups[new].append(pk)
                enrollment_ids.add(enrollment_id)
        for new, ids in groups.items():
            Assignee.objects.filter(pk__in=ids).update(due_on=new)
        # Active rows are looked at again now: their steps follow the new date.
        rows.filter(is_active=True).update(next_remind_at=now)
        enrollments_follow_assignments(enrollment_ids=enrollment_ids)
    return sum(len(ids) for ids in groups.values())


def _visible_assignee(actor, assignee: Assignee) -> Assignee:
    """The assignee, locked, if the actor manages people and sees them; PermissionDenied
    otherwise (a manager of one unit cannot change someone outside it)."""
    if not actor_for(actor).manages_people:
        raise PermissionDenied
    row = (
        assignees_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("assignment", "enrollment", "user", "agency")
        .filter(pk=assignee.pk)
        .first()
    )
    if row is None:
        raise PermissionDenied
    return row


def _record(actor, row: Assignee, kind: str, *, due_on, reason: str) -> AssignmentException:
    return AssignmentException.objects.create(
        assignment_id=row.assignment_id,
        assignee=row,
        user_id=row.user_id,
        agency_id=row.agency_id,
        kind=kind,
        due_on=due_on,
        previous_due_on=row.due_on,
        reason=reason,
        created_by=actor,
    )


def assignee_extend(
    *, actor, assignee: Assignee, due_on: datetime.date, reason: str, ip=None, now=None
) -> AssignmentException:
    """Give one person of an assignment their own, later due date, with a reason (recorded as
    an AssignmentException and in the audit log). The date is theirs from then on: a change
    of the assignment's date leaves it alone. Extending someone exempted brings them back,
    with that date. Their enrollment follows (`enrollments_follow_assignments`) and their
    reminders are looked at again at once. Refuses (ValidationError, audited) a date before
    today or not after their current one, a missing reason, a removed assignment or a
    completed training; PermissionDenied when the actor does not see the person."""
    now = now or timezone.now()
    with audited(
        actor=actor,
        agency=assignee.agency,
        action="assignment.extend",
        target=assignee.user.email,
        ip=ip,
        detail={
            "assignment": assignee.assignment_id,
            "reason": (reason or "").strip(),
            "before": {"due_on": _iso(assignee.due_on)},
            "after": {"due_on": _iso(due_on)},
        },
    ):
        row = _visible_assignee(actor, assignee)
        _require(row.assignment.removed_at is None, _("This assignment has been removed."))
        _require(
            row.enrollment.status != EnrollmentStatus.COMPLETED,
            _("This person has already completed the training."),
        )
        _require(due_on is not None, _("Give the new due date."), "due_on")
        check_due_date(agency=row.agency, due_on=due_on, now=now)
        _require(
            row.exception == ExceptionKind.EXEMPTION or due_on > row.due_on,
            _("An extension must be later than the current due date (%(date)s).")
            % {"date": row.due_on.isoformat()},
            "due_on",
        )
        reason = _reason(reason)
        exception = _record(actor, row, ExceptionKind.EXTENSION, due_on=due_on, reason=reason)
        row.due_on, row.exception, row.is_active, row.next_remind_at = (
            due_on,
            ExceptionKind.EXTENSION,
            True,
            now,
        )
        row.save(update_fields=["due_on", "exception", "is_active", "next_remind_at"])
        enrollments_follow_assignments(enrollment_ids=[row.enrollment_id])
    return exception


def assignee_exempt(
    *, actor, assignee: Assignee, reason: str, ip=None, now=None
) -> AssignmentException:
    """Exempt one person from an assignment, with a reason (an AssignmentException and the
    audit log): they are no longer required by it nor reminded (their row stops being active,
    so pending reminders about it are skipped when sent). Their enrollment stays, and keeps
    what other live assignments ask (else it becomes optional with no due date). Refuses
    (ValidationError, audited) a missing reason, a removed assignment or someone already
    exempt; PermissionDenied when the actor does not see the person."""
    with audited(
        actor=actor,
        agency=assignee.agency,
        action="assignment.exempt",
        target=assignee.user.email,
        ip=ip,
        detail={"assignment": assignee.assignment_id, "reason": (reason or "").strip()},
    ):
        row = _visible_assignee(actor, assignee)
        _require(row.assignment.removed_at is None, _("This assignment has been removed."))
        _require(row.exception != ExceptionKind.EXEMPTION, _("This person is already exempt."))
        reason = _reason(reason)
        exception = _record(actor, row, ExceptionKind.EXEMPTION, due_on=None, reason=reason)
        row.exception, row.is_active, row.next_remind_at = ExceptionKind.EXEMPTION, False, None
        row.save(update_fields=["exception", "is_active", "next_remind_at"])
        enrollments_follow_assignments(enrollment_ids=[row.enrollment_id])
    return exception
