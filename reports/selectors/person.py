"""A people manager's view of one person: place, assignments, progress, certificates, reminders.

The caller has looked the person up with `reports.access.access_person` (404 outside what the
viewer manages). Everything is read inside the person's current agency. Reminders' rows come
through reminders' selectors, as everywhere in reports.
"""

from agencies.dates import agency_date
from agencies.models import Membership
from learning.models import Certificate, Enrollment, EnrollmentStatus
from reminders.selectors import person_assignments, person_reminders

REMINDERS_SHOWN = 50


def person_overview(person: Membership) -> dict:
    """The person's assignments (each with its enrollment's status and progress, overdue
    marked by the agency's date), every enrollment with its progress, their certificates and
    the latest reminders sent to them. Four queries whatever the numbers."""
    agency = person.agency
    today = agency_date(agency.time_zone)
    enrollments = list(
        Enrollment.objects.filter(user_id=person.user_id, agency_id=agency.pk)
        .select_related("course", "version")
        .defer("version__snapshot")
        .order_by("status", "due_on", "course__title")
    )
    by_id = {e.pk: e for e in enrollments}
    for e in enrollments:
        e.is_overdue = bool(e.due_on and e.due_on < today and not e.is_completed)
    assignments = person_assignments(user_id=person.user_id, agency_id=agency.pk)
    for row in assignments:
        enrollment = by_id.get(row["enrollment_id"])
        row["enrollment"] = enrollment
        row["is_overdue"] = bool(
            row["is_active"]
            and enrollment is not None
            and not enrollment.is_completed
            and row["due_on"] < today
        )
    certificates = list(
        Certificate.objects.filter(
            issued_for__user_id=person.user_id, issued_for__agency_id=agency.pk
        )
        .only("code", "course_title", "issued_at", "revoked_at", "period")
        .order_by("-issued_at", "-pk")
    )
    return {
        "person": person,
        "today": today,
        "assignments": assignments,
        "enrollments": enrollments,
        "completed": sum(e.status == EnrollmentStatus.COMPLETED for e in enrollments),
        "certificates": certificates,
        "reminders": person_reminders(
            user_id=person.user_id, agency_id=agency.pk, limit=REMINDERS_SHOWN
        ),
        "reminders_shown": REMINDERS_SHOWN,
    }
