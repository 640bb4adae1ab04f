"""Report rows (streamed from the database) and the writers that put them in a file.

Rows come from `.values_list(...).iterator(chunk_size=...)`: on PostgreSQL a server-side
cursor, so memory stays flat whatever the size. Writers take a binary file object and call
`progress(rows_done)` every PROGRESS_EVERY rows.
"""

import csv
import io
from itertools import islice

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from agencies.models import Agency, Unit
from courses.models import Course
from learning.models import Enrollment, EnrollmentStatus

from ..access import DashboardScope
from ..selectors import figures as f
from ..selectors.overdue import overdue_enrollments

CHUNK = 10_000
PROGRESS_EVERY = 10_000
FORMULA_START = tuple("=+-@\t\r")


def _safe(text):
    """Neutralise text that a spreadsheet would run as a formula (CSV injection)."""
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text or ""


def _enrollments(scope: DashboardScope):
    rows = Enrollment.objects.filter(scope.place_q())
    if scope.course_ids is not None:
        rows = rows.filter(course_id__in=scope.course_ids)
    if scope.required_only:
        rows = rows.filter(required=True)
    return rows


def _statuses():
    return {value: str(label) for value, label in EnrollmentStatus.choices}


def _names(model, ids_q, field) -> dict:
    """{pk: spreadsheet-safe name} for the few agencies, units or courses a report mentions."""
    return {pk: _safe(name) for pk, name in model.objects.filter(ids_q).values_list("pk", field)}


def completion_header() -> list[str]:
    return [
        _("Agency"),
        _("Unit"),
        _("Learner"),
        _("Email"),
        _("Course"),
        _("Assigned on"),
        _("Due"),
        _("Status"),
        _("Completed on"),
        _("Score"),
        _("Certificate code"),
        _("Imported"),
    ]


def imported_label() -> str:
    """What the completion report says of a completion imported from the agency's former
    system (learning's history import)."""
    return _("Imported")


def completion_rows(scope: DashboardScope):
    """One row per learner and course: header first, then the rows.

    Agency, unit and course names come from three small lookups rather than a join per row,
    dates are truncated in the database, and rows stay tuples from the server-side cursor to
    the writer (no model instances, no query per row).
    """
    statuses = _statuses()
    yield completion_header()
    enrollments = _enrollments(scope).order_by()
    agencies = _names(Agency, Q(pk=scope.agency_id) if scope.agency else Q(), "name")
    units = _names(Unit, scope.place_q(unit_path="path"), "name")
    units[None] = ""
    courses = _names(
        Course, Q(pk__in=scope.course_ids) if scope.course_ids is not None else Q(), "title"
    )
    rows = (
        enrollments.annotate(
            assigned_on=TruncDate("created_at"), completed_on=TruncDate("completed_at")
        )
        .values_list(
            "agency_id",
            "unit_id",
            "user__full_name",
            "user__email",
            "course_id",
            "assigned_on",
            "due_on",
            "status",
            "completed_on",
            "final_score",
            "certificate__code",
            "certificate__revoked_at",
            "imported_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    safe, status_label, imported_text = _safe, statuses.get, imported_label()
    for (
        agency,
        unit,
        name,
        email,
        course,
        created,
        due,
        status,
        completed,
        score,
        code,
        revoked,
        imported,
    ) in rows:
        yield (
            agencies.get(agency, ""),
            units.get(unit, ""),
            safe(name),
            safe(email),
            courses.get(course, ""),
            created,
            due,
            status_label(status, status),
            completed,
            score,
            code if code and revoked is None else "",
            imported_text if imported is not None else "",
        )


def overdue_rows(scope: DashboardScope, *, today=None):
    today = today or scope.today()
    statuses = _statuses()
    yield [
        _("Agency"),
        _("Unit"),
        _("Learner"),
        _("Email"),
        _("Course"),
        _("Due"),
        _("Days overdue"),
        _("Status"),
        _("Progress (%)"),
    ]
    rows = (
        overdue_enrollments(scope, today=today)
        .values_list(
            "agency__name",
            "unit__name",
            "user__full_name",
            "user__email",
            "course__title",
            "due_on",
            "status",
            "progress_percent",
        )
        .iterator(chunk_size=CHUNK)
    )
    for agency, unit, name, email, course, due, status, progress in rows:
        yield [
            _safe(agency),
            _safe(unit),
            _safe(name),
            _safe(email),
            _safe(course),
            due,
            (today - due).days,
            statuses.get(status, status),
            progress,
        ]


def adoption_rows(scope: DashboardScope, *, today=None):
    """One row per unit (its own people, not its subtree), from the aggregate rows."""
    by_unit = f.status_figures(scope, "unit_id")
    overdue = f.overdue_by(scope, "unit_id", today=today)
    members = f.members_by(scope, "unit_id")
    units = Unit.objects.filter(Q(agency_id=scope.agency_id) if scope.agency else Q())
    if scope.unit is not None:
        units = units.filter(path__startswith=scope.unit.path)
    names = dict(Unit.objects.filter(pk__in=units.values("pk")).values_list("pk", "name"))
    yield [
        _("Agency"),
        _("Unit"),
        _("Members"),
        _("Activated"),
        _("Enrolled"),
        _("In progress"),
        _("Completed"),
        _("Certificate expired"),
        _("Overdue"),
        _("Required completion rate (%)"),
    ]
    for unit in units.select_related("agency").order_by("agency__name", "path"):
        label = " / ".join(names.get(int(p), "?") for p in unit.path.strip("/").split("/"))
        figures = f.add(f.blank(), by_unit.get(unit.pk, {}))
        figures["members"], figures["activated"] = members.get(unit.pk, (0, 0))
        figures["overdue"] = overdue.get(unit.pk, 0)
        f.finish(figures)
        yield [
            _safe(unit.agency.name),
            _safe(label),
            figures["members"],
            figures["activated"],
            figures["enrolled"],
            figures["in_progress"],
            figures["completed"],
            figures["expired"],
            figures["overdue"],
            figures["required_rate"],
        ]


def _batches(rows):
    """The rows in lists of PROGRESS_EVERY (the writers report progress between batches)."""
    while batch := list(islice(rows, PROGRESS_EVERY)):
        yield batch


def _csv_writer(fileobj):
    """UTF-8 with a byte-order mark (so spreadsheets read accents right), rows ending in "\n"
    (as PostgreSQL's COPY writes them, see csv_copy.py)."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="", write_through=False)
    return text, csv.writer(text, lineterminator="\n")


def write_csv_header(header, fileobj) -> None:
    text, writer = _csv_writer(fileobj)
    writer.writerow(header)
    text.flush()
    text.detach()


def write_csv(rows, fileobj, *, progress=lambda n: None) -> int:
    """The header and rows as CSV (see _csv_writer)."""
    text, writer = _csv_writer(fileobj)
    writer.writerow(next(rows))
    done = 0
    for batch in _batches(rows):
        writer.writerows(batch)
        done += len(batch)
        if len(batch) == PROGRESS_EVERY:
            progress(done)
    text.flush()
    text.detach()
    return done


def write_xlsx(rows, fileobj, *, title="Report", progress=lambda n: None) -> int:
    """XLSX through openpyxl's write-only mode (rows stream to a temporary file)."""
    from openpyxl import Workbook  # heavy to import: loaded only when an XLSX is written

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(next(rows))
    done = 0
    for batch in _batches(rows):
        for row in batch:
            sheet.append(row)
        done += len(batch)
        if len(batch) == PROGRESS_EVERY:
            progress(done)
    book.save(fileobj)
    return done
