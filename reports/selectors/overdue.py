"""The overdue people of a scope, each with their manager (nearest manager up the unit tree).

What "overdue" means is decided once, in `reminders.selectors.overdue_enrollments`: required
training, not completed, due before today in the agency's time zone. The page, its report, the
dashboards' counts (`figures.overdue_by`) and "remind everyone overdue" all read it.
"""

import datetime

from agencies.selectors import managers_up_the_tree, nearest_managers
from reminders.selectors import (
    assignee_ids_by_enrollment,
    overdue_managed,
    overdue_reminder_state,
    overdue_reminder_summary,
)
from reminders.selectors import overdue_enrollments as overdue_definition

from ..access import DashboardScope


def _time_zone(scope: DashboardScope):
    return scope.agency.time_zone if scope.agency else None


def overdue_enrollments(scope: DashboardScope, *, today: datetime.date | None = None):
    """Overdue enrollments in scope (already checked against its user), most overdue first:
    the queryset the overdue report streams."""
    return overdue_definition(
        within=scope.place_q(),
        time_zone=_time_zone(scope),
        course_ids=scope.course_ids,
        today=today or scope.today(),
    )


def overdue_for(user, scope: DashboardScope, *, today: datetime.date | None = None):
    """Overdue enrollments of the people `user` manages, narrowed to the scope's agency, unit
    and courses: exactly the rows "remind everyone overdue" reaches with the same filters."""
    return overdue_managed(
        user=user,
        agency=scope.agency,
        unit=scope.unit,
        course_ids=scope.course_ids,
        today=today or scope.today(),
    )


def overdue_summary(user, scope: DashboardScope) -> dict:
    """How many people and trainings "remind everyone overdue" would reach (one query)."""
    return overdue_reminder_summary(enrollments=overdue_for(user, scope))


def overdue_people(
    user,
    scope: DashboardScope,
    *,
    limit: int = 50,
    offset: int = 0,
    today: datetime.date | None = None,
) -> list[dict]:
    """A page of overdue enrollments as dicts, each with `manager` (a User or None), the
    `assignee_id` a reminder goes through (None: not assigned, so no reminder is possible) and
    `reminded_today`.

    Three queries whatever the page size: the enrollments, the managers up their units'
    paths, and the reminders Assignee rows that the nudge action posts to.
    """
    today = today or scope.today()
    enrollments = overdue_for(user, scope, today=today).select_related("user", "course", "unit")
    page = list(overdue_reminder_state(enrollments=enrollments)[offset : offset + limit])
    managers = managers_up_the_tree({e.unit.path for e in page if e.unit_id})
    assignees = assignee_ids_by_enrollment(enrollment_ids={e.pk for e in page if e.assigned})
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
                "reminded_today": enrollment.reminded_today,
            }
        )
    return rows
