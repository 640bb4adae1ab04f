"""Every change of ehri's tables: reporting settings, course coding, employee ids, feed exports.

Each service checks its own rights (PermissionDenied; views answer 404) and is audited through
agencies.audit.audited.
"""

import csv
import io
import logging
import tempfile
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from agencies.models import Agency, Membership

from .codes import COURSE_FIELDS, ONLINE_SELF_PACED
from .corrections import CorrectionsFile, corrections_batches
from .feed import coding_problems, courses_available, feed_items, feed_start, looks_like_ssn
from .models import CourseCoding, EmployeeId, FeedExport, ReportedRecord, ReportingAgency
from .writers import FeedFiles

logger = logging.getLogger(__name__)

CODING_FIELDS = [spec.name for spec in COURSE_FIELDS] + ["training_credit", "duty_hours"]
MAX_CSV_ROWS = 50_000
COLUMNS = "email,employee_id"  # the CSV header: column names, not words to translate


def _require_admin(actor, agency) -> None:
    if not actor_for(actor).administers_agency(agency.pk):
        raise PermissionDenied(_("Only the agency's admins can do this."))


def reporting_settings_save(*, actor, agency, subelement_code: str, require_coding: bool, ip=None):
    """The agency reports to OPM with this subelement code (its monthly feed is produced);
    `require_coding`: its courses must be coded before they are published."""
    _require_admin(actor, agency)
    code = (subelement_code or "").strip().upper()
    if not code.isalnum() or len(code) > 10:
        raise ValidationError({"subelement_code": _("Use letters and digits only.")})
    with audited(actor=actor, agency=agency, action="ehri.settings", ip=ip):
        row, _created = ReportingAgency.objects.update_or_create(
            agency=agency, defaults={"subelement_code": code, "require_coding": require_coding}
        )
    return row


def can_code_course(actor, course) -> bool:
    """The owner's trainers and admins code a course; an agency admin overrides a course their
    agency may take (their own coding row, never the owner's)."""
    acting = actor_for(actor)
    if course.owner_id is not None and acting.is_trainer and acting.agency_id == course.owner_id:
        return True
    return (
        acting.is_agency_admin
        and acting.agency_id is not None
        and courses_available(acting.agency_id).filter(pk=course.pk).exists()
    )


def default_coding(course, agency) -> CourseCoding:
    """An unsaved coding with the defaults of an online self-paced course: delivered by
    technology, made in-house (Government Internal), no accreditation, no continued service
    agreement, duty hours from the estimated time. Purpose and type are the trainer's choice:
    no default can be right for every course."""
    return CourseCoding(
        course=course, agency=agency, course_number_code=course.slug[:40], **ONLINE_SELF_PACED
    )


def course_coding_save(*, actor, course, values: dict, ip=None) -> CourseCoding:
    """Save the acting agency's coding of `course`: the owner's coding, or the acting agency's
    override of a course shared with it (the owner's row is never touched)."""
    if not can_code_course(actor, course):
        raise PermissionDenied(_("You cannot code this course."))
    agency = Agency.objects.get(pk=actor_for(actor).agency_id)
    with audited(actor=actor, agency=agency, action="ehri.coding", target=course.title, ip=ip):
        coding = CourseCoding.objects.select_for_update().filter(
            course=course, agency=agency
        ).first() or default_coding(course, agency)
        for name in CODING_FIELDS:
            if name in values:
                value = values[name]
                setattr(coding, name, value.strip() if isinstance(value, str) else value)
        coding.updated_by = actor
        coding.full_clean(exclude=["course", "agency", "updated_by"])
        coding.save()
    return coding


def course_publish_check(*, course, content) -> list[str]:
    """courses.registries.publish_checks: a course of an agency that reports to OPM must be
    coded for the feed before it is published."""
    if course.owner_id is None:
        return []
    reporting = ReportingAgency.objects.filter(
        agency_id=course.owner_id, require_coding=True
    ).exists()
    if not reporting:
        return []
    coding = CourseCoding.objects.filter(course=course, agency_id=course.owner_id).first()
    return [
        _("This course cannot be reported to OPM: %(problem)s.") % {"problem": problem}
        for problem in coding_problems(coding)
    ]


# --- employee identifiers -------------------------------------------------------------------


def _checked_employee_id(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("The employee id is empty."))
    if looks_like_ssn(value):
        raise ValidationError(
            _("This looks like a Social Security number; Academy never stores them.")
        )
    if len(value) > 40:
        raise ValidationError(_("The employee id is longer than 40 characters."))
    return value


def employee_id_set(*, actor, agency, user_id: int, employee_id: str, ip=None) -> EmployeeId:
    """Set one person's employee id by hand."""
    _require_admin(actor, agency)
    value = _checked_employee_id(employee_id)
    if not Membership.objects.filter(agency=agency, user_id=user_id).exists():
        raise PermissionDenied(_("This person is not a member of the agency."))
    with audited(actor=actor, agency=agency, action="ehri.employee_ids", ip=ip):
        if EmployeeId.objects.filter(agency=agency, employee_id=value).exclude(user_id=user_id):
            raise ValidationError(_("Another person already has this employee id."))
        row, _created = EmployeeId.objects.update_or_create(
            agency=agency,
            user_id=user_id,
            defaults={"employee_id": value, "source": EmployeeId.Source.MANUAL},
        )
    return row


def employee_ids_parse_csv(*, agency, text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """Read a CSV of `email,employee_id` (with that header) for the agency's members.

    Returns ([(user id, employee id)], errors); the import writes nothing unless errors is
    empty: the whole file is checked first."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or {"email", "employee_id"} - {
        (name or "").strip().lower() for name in reader.fieldnames
    }:
        return [], [_("The first line must name the columns: %(columns)s.") % {"columns": COLUMNS}]
    rows = [{(k or "").strip().lower(): (v or "") for k, v in row.items()} for row in reader]
    if len(rows) > MAX_CSV_ROWS:
        return [], [_("The file has more than %(n)s rows.") % {"n": MAX_CSV_ROWS}]
    members = dict(
        Membership.objects.filter(
            agency=agency, user__email__in=[r["email"].strip().lower() for r in rows]
        ).values_list("user__email", "user_id")
    )
    members = {email.lower(): user_id for email, user_id in members.items()}
    parsed, errors, seen_ids, seen_people = [], [], {}, set()
    for line, row in enumerate(rows, start=2):
        email = row["email"].strip().lower()
        try:
            value = _checked_employee_id(row["employee_id"])
        except ValidationError as error:
            errors.append(
                _("Line %(line)s: %(error)s") % {"line": line, "error": error.messages[0]}
            )
            continue
        user_id = members.get(email)
        if user_id is None:
            errors.append(
                _("Line %(line)s: no member of the agency has this email.") % {"line": line}
            )
        elif user_id in seen_people:
            errors.append(_("Line %(line)s: this person appears twice.") % {"line": line})
        elif value in seen_ids:
            errors.append(_("Line %(line)s: this employee id appears twice.") % {"line": line})
        else:
            seen_people.add(user_id)
            seen_ids[value] = user_id
            parsed.append((user_id, value))
    taken = EmployeeId.objects.filter(agency=agency, employee_id__in=list(seen_ids)).exclude(
        user_id__in=list(seen_people)
    )
    for value in taken.values_list("employee_id", flat=True):
        errors.append(_("Employee id %(id)s already belongs to someone else.") % {"id": value})
    return parsed, errors


def employee_ids_import(*, actor, agency, text: str, ip=None) -> int:
    """Import a CSV of employee ids: checked whole, then written in one transaction.
    Raises ValidationError with every problem; returns the number of people updated."""
    _require_admin(actor, agency)
    parsed, errors = employee_ids_parse_csv(agency=agency, text=text)
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor, agency=agency, action="ehri.employee_ids", ip=ip) as entry:
        existing = {
            row.user_id: row
            for row in EmployeeId.objects.select_for_update().filter(
                agency=agency, user_id__in=[user_id for user_id, _v in parsed]
            )
        }
        # Free the ids being moved first, so the unique constraint holds at every statement.
        EmployeeId.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
        EmployeeId.objects.bulk_create(
            EmployeeId(agency=agency, user_id=user_id, employee_id=value, source="csv")
            for user_id, value in parsed
        )
        entry.changes = {"employee_ids": [len(existing), len(parsed)]}
    return len(parsed)


# --- feed exports ---------------------------------------------------------------------------


def feed_request(*, actor, agency, start, end, ip=None) -> FeedExport:
    """Queue a feed of the agency's completions from `start` to `end` (agency days)."""
    from .tasks import feed_export_task  # tasks.py imports this module

    if actor is not None:
        _require_admin(actor, agency)
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    with transaction.atomic():
        export = FeedExport.objects.create(
            agency=agency, period_start=start, period_end=end, requested_by=actor
        )
        transaction.on_commit(lambda: feed_export_task.delay(export.pk))
    return export


def _save(export, suffix: str, writer, *args) -> str:
    with tempfile.TemporaryFile() as temporary:
        writer(*args, temporary)
        temporary.seek(0)
        name = (
            f"ehri/{uuid.uuid4().hex}/ehri-{export.agency.slug}-"
            f"{export.period_start:%Y%m%d}-{export.period_end:%Y%m%d}{suffix}"
        )
        return default_storage.save(name, File(temporary, name=name))


REPORTED_BATCH = 1000


def feed_export_execute(*, export_id: int) -> FeedExport | None:
    """Produce a queued feed: the records (rejections left out and counted), the corrections
    of earlier feeds, and the reported rows kept for the next corrections. Safe to call twice.

    Streams: each record goes to the files and to a batch of reported rows as it is read
    (`feed_items`), so memory stays flat whatever the number of completions; the reported rows
    and the export's status are written in one transaction, and the files are deleted if it
    fails."""
    claimed = FeedExport.objects.filter(pk=export_id, status=FeedExport.Status.QUEUED).update(
        status=FeedExport.Status.RUNNING
    )
    export = FeedExport.objects.select_related("agency").filter(pk=export_id).first()
    if not claimed or export is None:
        return export
    saved = []
    try:
        feed = feed_start(agency=export.agency, start=export.period_start, end=export.period_end)
        if feed.problems:
            raise ValidationError(feed.problems)
        rejected, pending = 0, []
        with FeedFiles(feed) as files, CorrectionsFile() as corrections, transaction.atomic():
            # Corrections first, batch by batch, before this feed adds its own reported rows.
            for batch in corrections_batches(agency=export.agency):
                corrections.add(batch)
                _corrected(export, batch)
            for key, record, rejection in feed_items(feed):
                if rejection is not None:
                    rejected += 1
                    continue
                files.add(record)
                pending.append(_reported(export, key, record))
                if len(pending) >= REPORTED_BATCH:
                    _reported_save(pending)
            _reported_save(pending)
            saved.append(_save(export, ".xml", files.write_xml))
            saved.append(_save(export, ".txt", files.write_delimited))
            saved.append(_save(export, "-corrections.txt", corrections.write))
            FeedExport.objects.filter(pk=export.pk).update(
                status=FeedExport.Status.DONE,
                xml_file=saved[0],
                delimited_file=saved[1],
                corrections_file=saved[2],
                records=files.count,
                rejected=rejected,
                corrections=corrections.count,
                finished_at=timezone.now(),
            )
    except Exception as error:  # kept for the admin who asked
        logger.exception("EHRI feed %s failed", export_id)
        for name in saved:
            default_storage.delete(name)
        reason = "; ".join(getattr(error, "messages", [])) or f"{error.__class__.__name__}: {error}"
        FeedExport.objects.filter(pk=export.pk).update(
            status=FeedExport.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
        )
    export.refresh_from_db()
    return export


def _reported(export, key, record) -> ReportedRecord:
    source, enrollment_id, period, end = key
    return ReportedRecord(
        agency=export.agency,
        export=export,
        source=source,
        enrollment_id=enrollment_id,
        period=period,
        end_date=end,
        employee_identifier=record["EmployeeIdentifier"],
        course_title=record["CourseTitle"][:200],
    )


def _corrected(export, batch: list) -> None:
    """Mark one batch's corrected rows as listed by `export`: one update per kind."""
    by_kind = {}
    for item in batch:
        by_kind.setdefault(item.kind, []).append(item.reported_id)
    for kind, ids in by_kind.items():
        ReportedRecord.objects.filter(pk__in=ids).update(corrected_in=export, correction=kind)


def _reported_save(pending: list) -> None:
    """Keep what was reported (once: a feed produced again for a month adds nothing)."""
    ReportedRecord.objects.bulk_create(pending, ignore_conflicts=True)
    pending.clear()


def feed_exports_purge(*, now=None) -> int:
    """Delete feed exports (their three files, and their reported rows with them) older than
    EHRI_FEED_RETENTION_DAYS. Returns the number of exports deleted. A completion reported
    that long ago is no longer watched for corrections."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.EHRI_FEED_RETENTION_DAYS)
    deleted = 0
    for export in FeedExport.objects.filter(created_at__lt=cutoff).iterator(chunk_size=200):
        for stored in (export.xml_file, export.delimited_file, export.corrections_file):
            if stored:
                default_storage.delete(stored.name)
        export.delete()
        deleted += 1
    return deleted


def feeds_monthly(*, today=None) -> list[FeedExport]:
    """Queue last month's feed for every agency that reports to OPM (the beat's monthly run)."""
    from .feed import last_month

    exports = []
    for row in ReportingAgency.objects.select_related("agency"):
        start, end = last_month(row.agency)
        if not FeedExport.objects.filter(
            agency=row.agency, period_start=start, period_end=end, requested_by__isnull=True
        ).exists():
            exports.append(feed_request(actor=None, agency=row.agency, start=start, end=end))
    return exports
