"""Attendance aggregate cells (AttendanceCount), kept in step by the registration services and
recomputed nightly by reports' recompute through `expected_cells`."""

from collections import defaultdict

from django.db.models import Count, Q

from ..models import AttendanceCount, LiveSession, Registration, RegistrationStatus

SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


def _grouped(registrations):
    return (
        registrations.filter(status__in=SEATED)
        # The person's agency: a session shared with every agency counts for each its own.
        .values("session_id", "user__membership__agency_id", "user__membership__unit_id")
        .annotate(
            seated=Count("pk"),
            attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        )
    )


def attendance_cells_refresh(session: LiveSession) -> None:
    """Rewrite one session's cells from its registrations (the caller holds the session's
    row lock, in the transaction of the change): three queries whatever the size."""
    rows = list(_grouped(Registration.objects.filter(session=session)))
    AttendanceCount.objects.filter(session=session).delete()
    AttendanceCount.objects.bulk_create(
        AttendanceCount(
            agency_id=row["user__membership__agency_id"],
            unit_id=row["user__membership__unit_id"],
            session_id=row["session_id"],
            seated=row["seated"],
            attended=row["attended"],
        )
        for row in rows
    )


def expected_cells(agency_id: int) -> dict:
    """The agency's cells as the registrations say they should be, for the nightly recompute:
    {(AttendanceCount, agency_id, unit_id, session_id): {"seated": n, "attended": m}}."""
    cells: dict = defaultdict(dict)
    for row in _grouped(Registration.objects.filter(user__membership__agency_id=agency_id)):
        key = (AttendanceCount, agency_id, row["user__membership__unit_id"], row["session_id"])
        cells[key] = {"seated": row["seated"], "attended": row["attended"]}
    return cells
