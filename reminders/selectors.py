"""Reads for the reminder pages, scoped to the acting user, each a bounded number of queries."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from agencies.access import actor_for, scope_q
from agencies.dates import agency_date
from agencies.models import AuditEvent
from learning.models import Enrollment, EnrollmentStatus

from .access import assignees_visible_to, assignments_visible_to
from .models import Assignee, AssignmentException, Kind, LogStatus, Notification, ReminderLog


def assignment_list(*, user):
    return (
        assignments_visible_to(user)
        .select_related("course", "path", "unit", "created_by")
        .order_by("removed_at", "-created_at", "-id")
    )


def assignment_people(*, user, assignment):
    """The assignment's people that the user may see, with their training's state."""
    return (
        assignees_visible_to(user)
        .filter(assignment=assignment)
        .select_related("user", "enrollment__course")
        .order_by("due_on", "user__email")
    )


def assignment_summary(*, user, assignment) -> dict:
    """People, completed and overdue (due before the assignment's agency's today) among the
    assignment's people that the user may see."""
    today = agency_date(assignment.agency.time_zone)
    rows = assignees_visible_to(user).filter(assignment=assignment)
    return rows.aggregate(
        people=Count("pk"),
        completed=Count("pk", filter=Q(enrollment__status=EnrollmentStatus.COMPLETED)),
        overdue=Count(
            "pk", filter=Q(due_on__lt=today) & ~Q(enrollment__status=EnrollmentStatus.COMPLETED)
        ),
    )


def overdue_enrollments(*, within: Q, time_zone: str | None, course_ids=None, now=None, today=None):
    """The one definition of overdue, for every list, count, report and bulk reminder of it:
    required enrollments, not completed, whose due date is before today in the agency's time
    zone (`time_zone`; None across agencies: the site's, as agencies.dates says), among the
    rows `within` selects (a filter on Enrollment the caller has scoped), optionally in some
    courses. `today` (that date, when the caller has it already) or `now` fix the moment.
    A queryset, most overdue first."""
    rows = Enrollment.objects.filter(
        within, required=True, due_on__lt=today or agency_date(time_zone, now)
    ).exclude(status=EnrollmentStatus.COMPLETED)
    if course_ids is not None:
        rows = rows.filter(course_id__in=course_ids)
    return rows.order_by("due_on", "id")


def overdue_managed(*, user, agency=None, unit=None, course_ids=None, now=None, today=None):
    """Overdue enrollments (`overdue_enrollments`) of the people `user` manages (the one scope
    rule, `scope_q`), narrowed to an agency, a unit subtree and courses the caller has checked
    the user may see. Nobody for people who manage no one."""
    actor = actor_for(user)
    if not actor.manages_people:
        return Enrollment.objects.none()
    within = scope_q(user, agency_field="agency", unit_path_field="unit__path", user_field="user")
    if agency is not None:
        within &= Q(agency_id=agency.pk)
    if unit is not None:
        within &= Q(agency_id=unit.agency_id, unit__path__startswith=unit.path)
    if agency is not None:
        time_zone = agency.time_zone
    elif unit is not None and actor.is_platform_admin:
        time_zone = unit.agency.time_zone
    elif actor.agency_id and not actor.is_platform_admin:
        time_zone = actor.agency_time_zone
    else:
        time_zone = None
    return overdue_enrollments(
        within=within, time_zone=time_zone, course_ids=course_ids, now=now, today=today
    )


def nudge_day(now: datetime.datetime | None = None) -> int:
    """Nudges are keyed by UTC day: one per learner and training per day."""
    return int((now or timezone.now()).timestamp() // 86400)


def _assigned():
    return Exists(Assignee.objects.filter(enrollment_id=OuterRef("pk"), is_active=True))


def _reminded_today(now):
    return Exists(
        ReminderLog.objects.filter(
            kind=Kind.NUDGE,
            step=nudge_day(now),
            enrollment_id=OuterRef("pk"),
            period=OuterRef("period"),
            recipient_id=OuterRef("user_id"),
        )
    )


def overdue_reminder_state(*, enrollments, now=None):
    """The enrollments annotated with `assigned` (an active Assignee: reminders can reach it)
    and `reminded_today` (a nudge about it was already written today); no extra query."""
    return enrollments.annotate(assigned=_assigned(), reminded_today=_reminded_today(now))


def overdue_reminder_summary(*, enrollments, now=None) -> dict:
    """What "remind everyone overdue" would do with these overdue enrollments, in one query:
    `people` and `trainings` it reaches (assigned, not yet nudged today), `reminded_today`
    (left out: nudged today already) and `not_assigned` (no assignment: no reminders)."""
    # The conditions are written out, not read from annotations: aggregating over boolean
    # annotations loses them from the subquery (SQLite then reads their names as strings).
    assigned, reminded = Q(_assigned()), Q(_reminded_today(now))
    reached = assigned & ~reminded
    return enrollments.order_by().aggregate(
        people=Count("user_id", distinct=True, filter=reached),
        trainings=Count("pk", filter=reached),
        reminded_today=Count("pk", filter=assigned & reminded),
        not_assigned=Count("pk", filter=~assigned),
    )


def overdue_reminder_targets(*, enrollments, now=None):
    """The Assignee rows "remind everyone overdue" writes a nudge for: one active row per
    overdue enrollment not yet nudged today (two, when two assignments ask for it: their
    nudges share one key, so one is written)."""
    reachable = enrollments.order_by().filter(_assigned(), ~_reminded_today(now))
    return Assignee.objects.filter(is_active=True, enrollment__in=reachable.values("pk"))


def assignee_ids_by_enrollment(*, enrollment_ids) -> dict[int, int]:
    """{enrollment id: id of an active Assignee row for it}, for enrollments the caller has
    already scoped (the overdue list offers a nudge on these). One query; none when empty."""
    if not enrollment_ids:
        return {}
    return dict(
        Assignee.objects.filter(enrollment_id__in=enrollment_ids, is_active=True)
        .order_by("enrollment_id", "-pk")
        .values_list("enrollment_id", "pk")
    )


def notification_list(*, user):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def delivery_summary(*, agency_id) -> dict:
    """Reminder log counts per status for an agency (the admin's delivery health)."""
    counts = dict(
        ReminderLog.objects.filter(agency_id=agency_id)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in LogStatus.values}


def failed_reminders(*, agency_id, limit=20):
    return (
        ReminderLog.objects.filter(agency_id=agency_id, status=LogStatus.FAILED)
        .select_related("recipient")
        .order_by("-created_at")[:limit]
    )


def person_assignments(*, user_id, agency_id) -> list[dict]:
    """One person's assignments in an agency, for a people manager's view of them (the caller
    has checked it may see the person): one dict per assignment and course, newest first, with
    the person's own due date and period, whether it still applies (`is_active`: an exemption
    or a removed assignment stops it) and the exception in force (`exception`: "extension",
    "exemption" or ""). One query."""
    rows = (
        Assignee.objects.filter(user_id=user_id, agency_id=agency_id)
        .select_related("assignment__course", "assignment__path", "enrollment__course")
        .order_by("-assigned_at", "-pk")
    )
    return [
        {
            "assignment_id": row.assignment_id,
            "course": row.enrollment.course,
            "path": row.assignment.path,
            "required": row.required,
            "assigned_at": row.assigned_at,
            "due_on": row.due_on,
            "period": row.period,
            "is_active": row.is_active and row.assignment.removed_at is None,
            "removed": row.assignment.removed_at is not None,
            "exception": row.exception,
            "enrollment_id": row.enrollment_id,
        }
        for row in rows
    ]


def person_reminders(*, user_id, agency_id, limit: int = 50) -> list:
    """The reminders addressed to one person in an agency (the caller has checked it may see
    them), newest first, at most `limit`, each with the course it is about (digests: none).
    One query."""
    return list(
        ReminderLog.objects.filter(recipient_id=user_id, agency_id=agency_id)
        .select_related("enrollment__course")
        .order_by("-created_at", "-id")[:limit]
    )


def assignment_exceptions(*, user, assignment, limit=50):
    """The extensions and exemptions of the assignment's people that the user may see (the
    same scope as its people), newest first, with who decided them and why. One query."""
    return (
        AssignmentException.objects.filter(
            assignment=assignment, assignee__in=assignees_visible_to(user)
        )
        .select_related("user", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def assignment_due_changes(*, assignment, limit=20):
    """The assignment's due date changes, from the audit log (who, when, before, after, why),
    newest first. One query."""
    return AuditEvent.objects.filter(
        agency_id=assignment.agency_id,
        action="assignment.update",
        outcome=AuditEvent.Outcome.SUCCESS,
        detail__assignment=assignment.pk,
    ).order_by("-created_at", "-id")[:limit]
