"""Corrections: completions an earlier feed reported that have since been revoked or changed.

Academy could not confirm from the Guide's copies how the Training Data Feed carries a
correction or a cancellation of a record already loaded, so it lists them for the agency's HR
office (a delimited file beside each feed, and on the feed page) instead of guessing an action
code. A changed completion also appears, with its new date, in the feed of the period it now
falls in.
"""

import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from agencies.dates import agency_date
from learning.models import Enrollment, EnrollmentStatus
from live.models import Registration, RegistrationStatus

from .models import ReportedRecord

REVOKED, CHANGED = "revoked", "changed"
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


CORRECTIONS_CHUNK = 2000  # reported rows checked per batch


def _batch_corrections(agency, reported: list) -> list[Correction]:
    """The corrections among one batch of reported rows: one query per source present."""
    current = {}
    course_ids = [r.enrollment_id for r in reported if r.source == "course"]
    session_ids = [r.enrollment_id for r in reported if r.source == "session"]
    if course_ids:
        current.update(
            (("course", pk), (status == EnrollmentStatus.COMPLETED, completed_at, period))
            for pk, status, completed_at, period in Enrollment.objects.filter(
                pk__in=course_ids
            ).values_list("pk", "status", "completed_at", "period")
        )
    if session_ids:
        current.update(
            (("session", pk), (status == RegistrationStatus.ATTENDED and not cancelled, ends_at, 1))
            for pk, status, ends_at, cancelled in Registration.objects.filter(
                pk__in=session_ids
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


def corrections_batches(*, agency, chunk_size: int | None = None) -> Iterator[list[Correction]]:
    """The agency's corrections, one batch of reported rows at a time: the rows not yet
    corrected are read by primary key, `chunk_size` (CORRECTIONS_CHUNK) at a time, and each
    batch is checked against the enrollments and the registrations with one query per source;
    so memory holds one batch whatever the number of rows reported over the retention period,
    and each batch costs at most three queries. Yields each batch's corrections (often none).

    Only the rows that exist when it starts are read (the feed being produced adds rows that
    are not to be checked against themselves)."""
    size = chunk_size or CORRECTIONS_CHUNK
    pending = ReportedRecord.objects.filter(agency=agency, corrected_in__isnull=True)
    last = pending.order_by("-pk").values_list("pk", flat=True).first()
    after = 0
    while last is not None and after < last:
        reported = list(pending.filter(pk__gt=after, pk__lte=last).order_by("pk")[:size])
        if not reported:
            break
        after = reported[-1].pk
        yield _batch_corrections(agency, reported)


def corrections_find(*, agency, chunk_size: int | None = None) -> list[Correction]:
    """Every reported completion of the agency not yet corrected whose enrollment is gone, no
    longer completed in the same period, or completed on another date; and every reported live
    session whose registration is gone or no longer attended, or whose session moved to
    another date. Read in batches (`corrections_batches`): only the corrections are held."""
    return [
        item
        for batch in corrections_batches(agency=agency, chunk_size=chunk_size)
        for item in batch
    ]


class CorrectionsFile:
    """A temporary pipe-delimited file that takes corrections batch by batch (the header
    first); `write` copies it to the stored file. Use as a context manager."""

    def __init__(self):
        self.count = 0
        self._raw = tempfile.TemporaryFile()
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="")
        self._lines = csv.writer(self._text, delimiter="|", lineterminator="\r\n")
        self._lines.writerow(COLUMNS)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._text.close()

    def add(self, corrections: list[Correction]) -> None:
        for item in corrections:
            self._lines.writerow(
                (
                    item.kind,
                    item.employee_identifier,
                    item.course_title,
                    item.reported_end,
                    item.current_end,
                    item.reported_in,
                )
            )
        self.count += len(corrections)

    def write(self, fileobj) -> int:
        self._text.flush()
        self._raw.seek(0)
        shutil.copyfileobj(self._raw, fileobj)
        return self.count


def corrections_write(corrections: list[Correction], fileobj) -> int:
    """A list of corrections as the pipe-delimited file (header, then one line each)."""
    with CorrectionsFile() as out:
        out.add(corrections)
        return out.write(fileobj)
