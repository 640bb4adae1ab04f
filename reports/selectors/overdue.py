"""The overdue people of a scope, each with their manager (nearest manager up the unit tree)."""

import datetime

from agencies.selectors import managers_up_the_tree, nearest_managers
from learning.models import Enrollment, EnrollmentStatus
from reminders.selectors import assignee_ids_by_enrollment

from ..access import DashboardScope


def overdue_enrollments(scope: DashboardScope, *, today: datetime.date | None = None):
    """Open enrollments due before today in scope, most overdue first (a queryset)."""
    today = today or scope.today()
    rows = Enrollment.objects.filter(scope.place_q(), due_on__lt=today).exclude(
        status=EnrollmentStatus.COMPLETED
    )
    if scope.course_ids is not None:
        rows = rows.filter(course_id__in=scope.course_ids)
    if scope.required_only:
        rows = rows.filter(required=True)
    return rows.order_by("due_on", "id")


def overdue_people(
    scope: DashboardScope, *, limit: int = 50, offset: int = 0, today: datetime.date | None = None
) -> list[dict]:
    """A page of overdue enrollments as dicts, each with `manager` (a User or None).

    Three queries whatever the page size: the enrollments, the managers up their units'
    paths, and the reminders Assignee rows that the nudge action posts to.
    """
    today = today or scope.today()
    page = list(
        overdue_enrollments(scope, today=today).select_related("user", "course", "unit")[
            offset : offset + limit
        ]
    )
    managers = managers_up_the_tree({e.unit.path for e in page if e.unit_id})
    assignees = assignee_ids_by_enrollment(enrollment_ids={e.pk for e in page})
    rows = []
    for enrollment in page:
        nearest = nearest_managers(
            managers,
            enrollment.unit.path if enrollment.unit_id else None,
            other_than=enrollment.user_id,
        )
        manager = nearest[0] if nearest else None
        rows.append(
            {
                "enrollment": enrollment,
                "user": enrollment.user,
                "course": enrollment.course,
                "unit": enrollment.unit,
                "due_on": enrollment.due_on,
                "days_overdue": (today - enrollment.due_on).days,
                "manager": manager,
                "assignee_id": assignees.get(enrollment.pk),
            }
        )
    return rows
