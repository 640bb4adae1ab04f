"""The overdue people of a scope, each with their manager (nearest manager up the unit tree)."""

import datetime

from agencies.models import Membership, Role

from ..access import DashboardScope


def overdue_enrollments(scope: DashboardScope, *, today: datetime.date | None = None):
    """Open enrollments due before today in scope, most overdue first (a queryset)."""
    from learning.models import Enrollment, EnrollmentStatus

    today = today or scope.today()
    rows = (Enrollment.objects.filter(scope.place_q(), due_on__lt=today)
            .exclude(status=EnrollmentStatus.COMPLETED))
    if scope.course_ids is not None:
        rows = rows.filter(course_id__in=scope.course_ids)
    if scope.required_only:
        rows = rows.filter(required=True)
    return rows.order_by("due_on", "id")


def overdue_people(scope: DashboardScope, *, limit: int = 50, offset: int = 0,
                   today: datetime.date | None = None) -> list[dict]:
    """A page of overdue enrollments as dicts, each with `manager` (a User or None).

    Three queries whatever the page size: the enrollments, the managers up their units'
    paths, and the reminders Assignee rows that the nudge action posts to.
    """
    today = today or scope.today()
    page = list(overdue_enrollments(scope, today=today)
                .select_related("user", "course", "unit")[offset:offset + limit])
    paths = {e.unit.path for e in page if e.unit_id}
    ancestor_ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    managers = {}
    if ancestor_ids:
        for membership in (Membership.objects.filter(unit_id__in=ancestor_ids, role=Role.MANAGER,
                                                     is_active=True)
                           .select_related("user").order_by("unit_id", "id")):
            managers.setdefault(membership.unit_id, membership.user)
    assignees = _assignees({e.pk for e in page})
    rows = []
    for enrollment in page:
        manager = None
        if enrollment.unit_id:
            chain = [int(p) for p in enrollment.unit.path.strip("/").split("/") if p]
            for unit_id in reversed(chain):
                candidate = managers.get(unit_id)
                if candidate is not None and candidate.pk != enrollment.user_id:
                    manager = candidate
                    break
        rows.append({"enrollment": enrollment, "user": enrollment.user,
                     "course": enrollment.course, "unit": enrollment.unit,
                     "due_on": enrollment.due_on, "days_overdue": (today - enrollment.due_on).days,
                     "manager": manager, "assignee_id": assignees.get(enrollment.pk)})
    return rows


def _assignees(enrollment_ids) -> dict:
    """{enrollment id: the reminders Assignee to nudge}, in one query (none without reminders)."""
    if not enrollment_ids:
        return {}
    try:
        from reminders.models import Assignee
    except ImportError:
        return {}
    return dict(Assignee.objects.filter(enrollment_id__in=enrollment_ids, is_active=True)
                .order_by("enrollment_id", "-pk").values_list("enrollment_id", "pk"))

