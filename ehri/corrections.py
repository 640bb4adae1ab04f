"""Corrections: completions an earlier feed reported that have since been revoked or changed.

Academy could not confirm from the Guide's copies how the Training Data Feed carries a
correction or a cancellation of a record already loaded, so it lists them for the agency's HR
office (a delimited file beside each feed, and on the feed page) instead of guessing an action
code. A changed completion also appears, with its new date, in the feed of the period it now
falls in.
"""

import csv
import io
from dataclasses import dataclass

from agencies.dates import agency_date
from learning.models import Enrollment, EnrollmentStatus
from live.models import Registration, RegistrationStatus

from .models import ReportedRecord

REVOKED, CHANGED = "revoked", "changed"
SOURCES = ("course", "session")
COLUMNS = (
    "Correction",
    "EmployeeIdentifier",
    "CourseTitle",
    "ReportedTrainingEndDate",
    "CurrentTrainingEndDate",
    "ReportedInFeed",
)


@dataclass(frozen=True)
class Correction:
    reported_id: int
    kind: str
    employee_identifier: str
    course_title: str
    reported_end: str
    current_end: str
    reported_in: int


def corrections_find(*, agency) -> list[Correction]:
    """Every reported completion of the agency not yet corrected whose enrollment is gone, no
    longer completed in the same period, or completed on another date; and every reported live
    session whose registration is gone or no longer attended, or whose session moved to
    another date. Three queries."""
    reported = list(
        ReportedRecord.objects.filter(agency=agency, corrected_in__isnull=True).order_by("pk")
    )
    ids = {source: [r.enrollment_id for r in reported if r.source == source] for source in SOURCES}
    current = {
        ("course", pk): (status == EnrollmentStatus.COMPLETED, completed_at, period)
        for pk, status, completed_at, period in Enrollment.objects.filter(
            pk__in=ids["course"]
        ).values_list("pk", "status", "completed_at", "period")
    }
    current.update(
        (("session", pk), (status == RegistrationStatus.ATTENDED and not cancelled, ends_at, 1))
        for pk, status, ends_at, cancelled in Registration.objects.filter(
            pk__in=ids["session"]
        ).values_list("pk", "status", "session__ends_at", "session__is_cancelled")
    )
    found = []
    for row in reported:
        done, done_at, period = current.get((row.source, row.enrollment_id), (False, None, None))
        if period is not None and period > row.period:
            continue  # a later cycle of a recurring course: the reported one stands
        if not done or done_at is None:
            kind, now = REVOKED, ""
        else:
            day = agency_date(agency.time_zone, done_at)
            if day == row.end_date:
                continue
            kind, now = CHANGED, day.isoformat()
        found.append(
            Correction(
                reported_id=row.pk,
                kind=kind,
                employee_identifier=row.employee_identifier,
                course_title=row.course_title,
                reported_end=row.end_date.isoformat(),
                current_end=now,
                reported_in=row.export_id,
            )
        )
    return found


def corrections_write(corrections: list[Correction], fileobj) -> int:
    text = io.StringIO()
    writer = csv.writer(text, delimiter="|", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in corrections:
        writer.writerow(
            (
                item.kind,
                item.employee_identifier,
                item.course_title,
                item.reported_end,
                item.current_end,
                item.reported_in,
            )
        )
    fileobj.write(text.getvalue().encode("utf-8"))
    return len(corrections)
