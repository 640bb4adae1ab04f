"""The "Live session attendance" report (reports.registries.report_kinds, key `attendance`):
one row per person placed at a session, scoped like the other reports by the person's agency
and unit (a reports DashboardScope), streamed from the database."""

from django.utils.translation import gettext as _

from academy.spreadsheet import formula_safe
from agencies.dates import agency_date, agency_day_bounds

from .models import Registration, RegistrationStatus

CHUNK = 10_000


def attendance_registrations(scope):
    """The registrations of people in the scope (their agency and unit subtree), optionally of
    sessions of the scope's courses and starting in its date range; session order."""
    rows = Registration.objects.all()
    if scope.agency is not None:
        rows = rows.filter(user__membership__agency_id=scope.agency.pk)
    if scope.unit is not None:
        rows = rows.filter(user__membership__unit__path__startswith=scope.unit.path)
    if scope.course_ids is not None:
        rows = rows.filter(session__course_id__in=scope.course_ids)
    zone = scope.agency.time_zone if scope.agency else None
    if scope.start:
        rows = rows.filter(session__starts_at__gte=agency_day_bounds(zone, scope.start)[0])
    if scope.end:
        rows = rows.filter(session__starts_at__lt=agency_day_bounds(zone, scope.end)[1])
    return rows.order_by("session__starts_at", "session_id", "user__email")


def attendance_rows(scope):
    """Header, then (session, date, person, email, unit, status, attended) per registration."""
    statuses = {value: str(label) for value, label in RegistrationStatus.choices}
    zone = scope.agency.time_zone if scope.agency else None
    yield [
        _("Session"),
        _("Date"),
        _("Person"),
        _("Email"),
        _("Unit"),
        _("Status"),
        _("Attended"),
    ]
    rows = (
        attendance_registrations(scope)
        .values_list(
            "session__title",
            "session__starts_at",
            "user__full_name",
            "user__email",
            "user__membership__unit__name",
            "status",
        )
        .iterator(chunk_size=CHUNK)
    )
    for title, starts_at, name, email, unit, status in rows:
        yield [
            formula_safe(title),
            agency_date(zone, starts_at),
            formula_safe(name),
            formula_safe(email),
            formula_safe(unit),
            statuses.get(status, status),
            _("yes") if status == RegistrationStatus.ATTENDED else _("no"),
        ]
