"""Reads for the reminder pages, scoped to the acting user, each a bounded number of queries."""

from django.db.models import Count, Q

from agencies.dates import agency_date
from agencies.models import AuditEvent
from learning.models import EnrollmentStatus

from .access import assignees_visible_to, assignments_visible_to
from .models import Assignee, AssignmentException, LogStatus, Notification, ReminderLog
from .services.actions import overdue_in_scope


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


def overdue_people(*, user):
    return (
        overdue_in_scope(user)
        .select_related("user", "enrollment__course", "assignment")
        .order_by("due_on", "user__email")
    )


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
