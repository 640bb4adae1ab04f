"""The learner's record: every completion with its hours, as a page, a CSV file and a PDF.

Every completion issues exactly one certificate (one per enrollment and period, see
`services.enrollment._issue_certificate`), and certificates are never deleted, so the
certificates are the list of completions, earlier periods of recurring training included. The
current period's facts (version, score, completion time) come from the enrollment; an earlier
period's from its `course_completed` learning event and the version it names.

Only the learner's own rows are read: the record takes the acting user and nothing else.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agencies.dates import agency_date
from courses.models import CourseVersion

from .models import Certificate, LearningEvent, Verb

FORMULA_START = tuple("=+-@\t\r")


@dataclass(frozen=True)
class Completion:
    """One completed course (one period of it), as the record shows it."""

    course_title: str
    course_slug: str
    version: int | None
    completed_at: datetime.datetime
    completed_on: datetime.date  # in the time zone of the agency it was completed in
    minutes: int
    score: int | None
    required: bool
    period: int
    certificate_code: str
    revoked: bool

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours with one decimal (rounded half up): 90 -> 1.5, 20 -> 0.3."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _earlier_periods(user, certificates) -> dict[str, dict]:
    """{certificate code: {"version", "score"}} for certificates of earlier periods, from the
    `course_completed` event that preceded each `certificate_issued` event of the same course
    (both are appended in the completing call, in that order). One query."""
    last_completion: dict[int, dict] = {}
    found: dict[str, dict] = {}
    events = (
        LearningEvent.objects.filter(
            user_id=user.pk, verb__in=[Verb.COURSE_COMPLETED, Verb.CERTIFICATE_ISSUED]
        )
        .order_by("created_at", "id")
        .values_list("verb", "course_id", "object_key", "result")
    )
    wanted = {c.code for c in certificates}
    for verb, course_id, key, result in events:
        if verb == Verb.COURSE_COMPLETED:
            last_completion[course_id] = result or {}
        elif key in wanted:
            found[key] = last_completion.pop(course_id, {})
    return found


def _version_minutes(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """{(course id, version number): estimated minutes}; one query, none when empty."""
    if not pairs:
        return {}
    q = Q()
    for course_id, number in pairs:
        q |= Q(course_id=course_id, number=number)
    return {
        (course_id, number): minutes
        for course_id, number, minutes in CourseVersion.objects.filter(q).values_list(
            "course_id", "number", "estimated_minutes"
        )
    }


def learner_record(user) -> dict:
    """The user's own completions, newest first, with the total hours of those whose
    certificate stands (a revoked certificate's completion is listed, marked, and not counted).

    One query, plus two when the learner has completed an earlier period of recurring training.
    """
    certificates = list(
        Certificate.objects.filter(issued_for__user_id=user.pk)
        .select_related("issued_for__course", "issued_for__version", "issued_for__agency")
        .defer("issued_for__version__snapshot")
        .order_by("-issued_at", "-pk")
    )
    earlier = [c for c in certificates if c.period != c.issued_for.period]
    facts = _earlier_periods(user, earlier) if earlier else {}
    minutes = _version_minutes(
        {
            (c.issued_for.course_id, facts[c.code]["version"])
            for c in earlier
            if facts.get(c.code, {}).get("version")
        }
    )
    completions = []
    for c in certificates:
        enrollment = c.issued_for
        if c.period == enrollment.period:
            version = enrollment.version.number
            completed_at = enrollment.completed_at or c.issued_at
            score = enrollment.final_score
            spent = enrollment.version.estimated_minutes
        else:
            fact = facts.get(c.code, {})
            version = fact.get("version")
            completed_at = c.issued_at
            score = fact.get("score")
            spent = minutes.get((enrollment.course_id, version), 0)
        completions.append(
            Completion(
                course_title=c.course_title,
                course_slug=enrollment.course.slug,
                version=version,
                completed_at=completed_at,
                completed_on=agency_date(enrollment.agency.time_zone, completed_at),
                minutes=spent or 0,
                score=score,
                required=enrollment.required,
                period=c.period,
                certificate_code=c.code,
                revoked=c.revoked_at is not None,
            )
        )
    completions.sort(key=lambda row: row.completed_at, reverse=True)
    counted = [row for row in completions if not row.revoked]
    return {
        "completions": completions,
        "total_minutes": sum(row.minutes for row in counted),
        "total_hours": hours_of(sum(row.minutes for row in counted)),
        "counted": len(counted),
    }


# --- files ---------------------------------------------------------------------------------


def _safe(text) -> str:
    """Neutralise text that a spreadsheet would run as a formula (CSV injection)."""
    text = str(text) if text is not None else ""
    return "'" + text if text.startswith(FORMULA_START) else text


def _kind(row: Completion) -> str:
    return _("Required") if row.required else _("Optional")


def _certificate_status(row: Completion) -> str:
    return _("Revoked") if row.revoked else _("Valid")


def record_header() -> list[str]:
    return [
        _("Course"),
        _("Version"),
        _("Completed on"),
        _("Hours"),
        _("Score (%)"),
        _("Required or optional"),
        _("Certificate code"),
        _("Certificate status"),
    ]


def record_rows(record: dict, *, localized: bool = False) -> list[list]:
    """The header, then one row per completion: plain values, dates in ISO form (`localized`:
    dates and hours as the current language writes them)."""
    rows = [record_header()]
    for row in record["completions"]:
        rows.append(
            [
                row.course_title,
                row.version if row.version is not None else "",
                formats.date_format(row.completed_on, "DATE_FORMAT")
                if localized
                else row.completed_on.isoformat(),
                formats.number_format(row.hours, 1) if localized else str(row.hours),
                row.score if row.score is not None else "",
                _kind(row),
                row.certificate_code,
                _certificate_status(row),
            ]
        )
    return rows


def record_csv(record: dict) -> bytes:
    """The record as UTF-8 CSV (with a byte order mark, so spreadsheets read the accents),
    every text cell made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in record_rows(record):
        writer.writerow([_safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def record_pdf(record: dict, *, learner: str, agency: str, today: datetime.date, page_url: str):
    """The record as a landscape A4 transcript (reportlab): learner, date, one table row per completion
    (the header repeated on each page), the total hours, and where the accessible HTML version
    is. reportlab writes no tagged PDF (PDF/UA); the document carries its title and language,
    and the HTML page is the accessible equivalent."""
    # reportlab is heavy to import: loaded only when a transcript is drawn.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    title = _("Training transcript")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=f"{title} – {learner}",
        author="Academy",
        subject=title,
        lang=get_language() or "en",
        displayDocTitle=True,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=9, leading=11)
    head = cell.clone("head", fontName="Helvetica-Bold")
    # A certificate code is one 22-character word: in a fixed-width face it fits its column on
    # one line (a proportional face wraps some codes mid-word, which breaks copying them).
    code = cell.clone("code", fontName="Courier", fontSize=8)
    code_column = 6

    def text(value, style=cell):
        return Paragraph(_escape(str(value)), style)

    story = [
        Paragraph(_escape(title), styles["Title"]),
        Paragraph(_escape(learner), styles["Heading2"]),
        Paragraph(
            _escape(
                _("%(agency)s · as of %(date)s")
                % {"agency": agency, "date": formats.date_format(today, "DATE_FORMAT")}
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    rows = record_rows(record, localized=True)
    if len(rows) > 1:
        table = Table(
            [[text(v, head) for v in rows[0]]]
            + [
                [text(v, code if i == code_column else cell) for i, v in enumerate(r)]
                for r in rows[1:]
            ],
            colWidths=[
                7 * cm,
                1.6 * cm,
                2.8 * cm,
                1.4 * cm,
                1.6 * cm,
                2.6 * cm,
                4.8 * cm,
                2.4 * cm,
            ],
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#71767a")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe1e2")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph(_escape(_("No completed courses yet.")), styles["Normal"]))
    story += [
        Spacer(1, 0.4 * cm),
        Paragraph(
            _escape(
                _("Total: %(hours)s hours of training completed")
                % {"hours": formats.number_format(record["total_hours"], 1)}
            ),
            styles["Heading3"],
        ),
        Paragraph(
            _escape(
                _("An accessible version of this record is on the My record page: %(url)s")
                % {"url": page_url}
            ),
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _escape(value: str) -> str:
    """Paragraph text is a small markup language: escape what it would read as tags."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
