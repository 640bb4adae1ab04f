"""Importing past completions from an agency's former training system.

The whole file is checked before anything is written: one refusal lists every line at fault,
and nothing is imported. Then, in one transaction, each person gets the course completed on
the given date, marked as imported (`Enrollment.imported_at`, no certificate: Academy did not
see the training), so they are not asked to take it again. A course they already completed in
Academy is left as it is.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from agencies.dates import agency_date, agency_zone
from agencies.models import Membership
from courses.access import course_available_to_agency_q
from courses.models import Course, Status

from ..events import EnrollmentState, publish_enrollment_changes
from ..models import Enrollment, EnrollmentStatus, Verb
from .events import EventBatch

HISTORY_COLUMNS = ("email", "course", "completed_on", "score")
HISTORY_MAX_ROWS = 50_000


@dataclass(frozen=True)
class HistoryRow:
    """One past completion: who (their address), which course (its slug), when, and the score
    (0 to 100) when there was one. `line` is where it was in the file (for the messages)."""

    line: int
    email: str
    course: str
    completed_on: datetime.date
    score: int | None = None


def history_parse_csv(text: str) -> list[HistoryRow]:
    """The rows of a history CSV (UTF-8, comma-separated, a header line naming the columns
    `email`, `course` (the course's slug), `completed_on` (YYYY-MM-DD) and optionally `score`).
    Refuses (ValidationError, one message per line at fault) anything it cannot read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in HISTORY_COLUMNS[:3] if name not in header]
    if missing:
        raise ValidationError(
            _("The first line must name the columns %(columns)s (and %(optional)s).")
            % {"columns": ", ".join(HISTORY_COLUMNS[:3]), "optional": "score"}
        )
    reader.fieldnames = header
    rows, errors = [], []
    for raw in reader:
        number = reader.line_num  # the file's own line (blank lines are skipped)
        if len(rows) + len(errors) >= HISTORY_MAX_ROWS:
            raise ValidationError(
                _("Import at most %(count)d rows at a time.") % {"count": HISTORY_MAX_ROWS}
            )
        values = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(values.values()):
            continue
        try:
            day = datetime.date.fromisoformat(values.get("completed_on", ""))
        except ValueError:
            errors.append(_("Line %(line)d: write the date as YYYY-MM-DD.") % {"line": number})
            continue
        score = values.get("score") or None
        if score is not None:
            try:
                score = int(score)
            except ValueError:
                errors.append(
                    _("Line %(line)d: the score is a whole number from 0 to 100.")
                    % {"line": number}
                )
                continue
        rows.append(
            HistoryRow(
                line=number,
                email=values.get("email", ""),
                course=values.get("course", ""),
                completed_on=day,
                score=score,
            )
        )
    if errors:
        raise ValidationError(errors)
    return rows


def _check(agency, rows: list[HistoryRow], members: dict, courses: dict) -> list[str]:
    """Every reason to refuse the rows, one per line at fault (empty: all good)."""
    today = agency_date(agency.time_zone)
    errors, seen = [], set()
    for row in rows:
        where = {"line": row.line}
        if row.email.lower() not in members:
            errors.append(_("Line %(line)d: nobody in the agency has this address.") % where)
        if row.course not in courses:
            errors.append(
                _("Line %(line)d: no published course of the agency has this slug.") % where
            )
        if row.completed_on > today:
            errors.append(_("Line %(line)d: the date is in the future.") % where)
        if row.score is not None and not 0 <= row.score <= 100:
            errors.append(_("Line %(line)d: the score is a whole number from 0 to 100.") % where)
        key = (row.email.lower(), row.course)
        if key in seen:
            errors.append(_("Line %(line)d: this person and course appear twice.") % where)
        seen.add(key)
    return errors


def completions_import(*, actor, agency, rows: list[HistoryRow], ip=None) -> dict:
    """Import past completions into `agency` (its admins only), all or nothing.

    Refuses (ValidationError listing every line at fault, audited) unknown addresses (people
    of the agency only), courses the agency cannot use (published, by slug), future dates,
    scores outside 0-100 and a person and course given twice. Otherwise, in one transaction:
    each person's enrollment in the course (created if need be, in their unit) is completed on
    that date (noon in the agency's time zone) with the score, marked imported, without a
    certificate; one `course_completed` event each (result `imported: true`) and one
    `EnrollmentsChanged` for the lot, so dashboards and reports count them. A course the person
    already completed is left alone. Returns {"imported": n, "already_completed": m}.
    """
    with audited(
        actor=actor,
        agency=agency,
        action="learning.history_import",
        target=str(len(rows)),
        ip=ip,
    ) as entry:
        if not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can import past completions."))
        if not rows:
            raise ValidationError(_("The file has no rows to import."))
        members = {
            m.user.email.lower(): m
            for m in Membership.objects.filter(
                agency=agency, user__email__in={row.email.lower() for row in rows}
            ).select_related("user")
        }
        courses = {
            c.slug: c
            for c in Course.objects.filter(
                course_available_to_agency_q(agency.pk),
                status=Status.PUBLISHED,
                slug__in={row.course for row in rows},
            ).select_related("current_version")
        }
        errors = _check(agency, rows, members, courses)
        if errors:
            raise ValidationError(errors)
        result = _write(agency, rows, members, courses)
        entry.changes = {"imported": [0, result["imported"]]}
    return result


def _write(agency, rows, members, courses) -> dict:
    now = timezone.now()
    zone = agency_zone(agency.time_zone)
    with transaction.atomic():
        existing = {
            (e.user_id, e.course_id): e
            for e in Enrollment.objects.select_for_update(of=("self",))
            .filter(
                user_id__in=[m.user_id for m in members.values()],
                course_id__in=[c.pk for c in courses.values()],
            )
            .order_by("pk")
        }
        changes, log, imported, skipped = [], EventBatch(), 0, 0
        for row in rows:
            member, course = members[row.email.lower()], courses[row.course]
            enrollment = existing.get((member.user_id, course.pk))
            if enrollment is not None and enrollment.is_completed:
                skipped += 1
                continue
            before = None
            if enrollment is None:
                enrollment = Enrollment(
                    user=member.user,
                    course=course,
                    version=course.current_version,
                    agency=agency,
                    unit_id=member.unit_id,
                )
            else:
                enrollment.agency = agency
                before = EnrollmentState.of(enrollment, certified=False)
            completed_at = datetime.datetime.combine(
                row.completed_on, datetime.time(12), tzinfo=zone
            )
            enrollment.status, enrollment.progress_percent = EnrollmentStatus.COMPLETED, 100
            enrollment.completed_at, enrollment.final_score = completed_at, row.score
            enrollment.started_at = enrollment.started_at or completed_at
            enrollment.imported_at = enrollment.updated_at = now
            enrollment.save()
            changes.append((before, EnrollmentState.of(enrollment, certified=False)))
            log.add(
                enrollment=enrollment,
                verb=Verb.COURSE_COMPLETED,
                object_type="course",
                object_key=course.slug,
                result={
                    "score": row.score,
                    "completion": True,
                    "imported": True,
                    "completed_on": row.completed_on.isoformat(),
                },
            )
            imported += 1
        log.save()
        if changes:
            publish_enrollment_changes(changes)
    return {"imported": imported, "already_completed": skipped}
