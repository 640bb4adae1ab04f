"""Attendance from the meeting tool's CSV export and from the check-in code."""

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from courses.models import LearningPathCourse
from learning.services import attendances_record

from ..access import can_edit_session
from ..models import LiveSession, Registration, RegistrationStatus
from .aggregates import attendance_cells_refresh

SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
MAX_ROWS = 5000


def attendance_to_learning(session: LiveSession, user_ids) -> int:
    """Tell learning that these people attended (an `attended` learning event each, once, and
    credit for the live-session step the session names, else the next one, of the session's
    course); in the caller's transaction."""
    path_courses = (
        list(
            LearningPathCourse.objects.filter(path_id=session.path_id)
            .order_by("position", "pk")
            .values_list("course_id", flat=True)
        )
        if session.path_id
        else []
    )
    return attendances_record(
        session_id=session.pk,
        title=session.title,
        course_id=session.course_id,
        course_ids=path_courses,
        user_ids=user_ids,
        step_key=session.credits_step,
    )


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", ".").strip())
    except (AttributeError, ValueError):
        return None


def attendance_import(
    *,
    actor,
    session: LiveSession,
    content: bytes,
    email_column: str,
    minutes_column: str = "",
    min_minutes: int = 0,
) -> dict:
    """Mark as attended the registrants found in a meeting tool's attendance CSV.

    The columns are mapped by name (the email column, optionally a minutes column with a
    minimum). Every row is checked first: a row whose address is not a registrant's, or whose
    minutes cannot be read, refuses the whole file with the list of such rows, and nothing is
    written. Returns {"attended": n, "rows": m, "short": k} (k: rows under the minimum)."""
    acting = actor_for(actor)
    if not can_edit_session(acting, session):
        raise PermissionDenied
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [c for c in (email_column, minutes_column) if c and c not in headers]
    if missing:
        raise ValidationError(
            {
                "email_column": _("Column not found: %(missing)s. The file has: %(headers)s.")
                % {"missing": ", ".join(missing), "headers": ", ".join(headers) or "—"}
            }
        )
    seated = {
        email.lower(): user_id
        for email, user_id in Registration.objects.filter(
            session=session, status__in=SEATED
        ).values_list("user__email", "user_id")
    }
    attended, problems, rows, short = set(), [], 0, 0
    for line, row in enumerate(reader, start=2):
        rows += 1
        if rows > MAX_ROWS:
            raise ValidationError({"file": _("The file has too many rows.")})
        email = (row.get(email_column) or "").strip().lower()
        if not email and not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        if email not in seated:
            problems.append(
                _("Line %(line)d: %(email)s is not registered for this session.")
                % {"line": line, "email": email or _("(no address)")}
            )
            continue
        if minutes_column:
            minutes = _number(row.get(minutes_column) or "")
            if minutes is None:
                problems.append(_("Line %(line)d: the minutes cannot be read.") % {"line": line})
                continue
            if minutes < min_minutes:
                short += 1
                continue
        attended.add(seated[email])
    if problems:
        raise ValidationError({"file": problems})
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        if session.starts_at > timezone.now():
            raise ValidationError(_("Attendance can be recorded once the session has started."))
        Registration.objects.filter(
            session=session, status=RegistrationStatus.REGISTERED, user_id__in=attended
        ).update(status=RegistrationStatus.ATTENDED, updated_at=timezone.now())
        attendance_cells_refresh(session)
        attendance_to_learning(session, attended)
    return {"attended": len(attended), "rows": rows, "short": short}


def checkin(*, actor, session: LiveSession, code: str) -> Registration:
    """A registrant enters the code the host shows during the session: they attended. Open
    from the start until the end of the session."""
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=session.pk)
        registration = Registration.objects.filter(
            session=session, user=actor, status__in=SEATED
        ).first()
        if registration is None:
            raise ValidationError(_("Only registered people can check in."))
        now = timezone.now()
        if not (session.starts_at <= now < session.ends_at):
            raise ValidationError({"code": _("Check-in is open during the session only.")})
        if code.strip().upper() != session.checkin_code:
            raise ValidationError({"code": _("This is not the session's code.")})
        if registration.status != RegistrationStatus.ATTENDED:
            registration.status = RegistrationStatus.ATTENDED
            registration.save(update_fields=["status", "updated_at"])
            attendance_cells_refresh(session)
            attendance_to_learning(session, [registration.user_id])
    return registration
