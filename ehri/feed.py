"""The feed's records: every completion of an agency's people in a period, coded, with the
edits Academy can check before OPM does (docs/ehri.md lists them).

Reads only; a bounded number of queries whatever the number of completions (enrollments with
course, version and user; codings; employee ids; SCIM externalIds; reporting settings).
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.db.models import Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.dates import agency_date, agency_day_bounds
from courses.models import Course
from learning.models import Enrollment, EnrollmentStatus
from provisioning.selectors import external_ids

from .codes import COURSE_FIELDS, RECORD_COLUMNS, VALUE_LISTS
from .models import CourseCoding, EmployeeId, ReportingAgency, VersionCoding
from .sessions import attended, codings_of_sessions

SSN_LIKE = re.compile(r"^\d{3}-?\d{2}-?\d{4}$")


@dataclass
class Rejection:
    """A record OPM would reject, why, and where to fix it."""

    who: str
    course: str
    reasons: list[str]
    fix_url: str
    fix_label: str


@dataclass
class Feed:
    agency: object
    start: datetime.date
    end: datetime.date
    subelement_code: str = ""
    records: list[dict] = field(default_factory=list)  # column -> text, ready to write
    keys: list[tuple] = field(default_factory=list)  # (source, id, period, end) per record
    rejections: list[Rejection] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # feed-wide (settings)


def looks_like_ssn(value: str) -> bool:
    return bool(SSN_LIKE.match(value.strip()))


def duty_hours(coding, estimated_minutes: int) -> Decimal:
    """The coding's hours, else the course's estimated time in hours, to one decimal (half up)."""
    if coding is not None and coding.duty_hours:
        return coding.duty_hours
    return (Decimal(estimated_minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def codings_for(agency_id, courses) -> dict[int, CourseCoding]:
    """{course id: the coding that applies for `agency_id`}: its own override, else the
    owner's coding. One query."""
    courses = list(courses)
    owner_of = {c.pk: c.owner_id for c in courses}
    rows = CourseCoding.objects.filter(
        course_id__in=list(owner_of), agency_id__in={agency_id, *owner_of.values()} - {None}
    )
    chosen = {}
    for row in rows:
        if row.agency_id == agency_id or (
            row.agency_id == owner_of[row.course_id] and row.course_id not in chosen
        ):
            chosen[row.course_id] = row
    return chosen


def coding_problems(coding, *, session: bool = False) -> list[str]:
    """What the coding lacks for OPM: the messages of the publish check and of the edits."""
    if coding is None:
        return [
            _("the session has no EHRI coding") if session else _("the course has no EHRI coding")
        ]
    problems = [
        _("%(field)s is missing") % {"field": spec.label}
        for spec in COURSE_FIELDS
        if spec.required and not getattr(coding, spec.name)
    ]
    labels = {spec.name: spec.label for spec in COURSE_FIELDS}
    for name, choices in VALUE_LISTS.items():
        value = getattr(coding, name)
        if value and value not in {code for code, _label in choices}:
            problems.append(
                _("%(field)s “%(value)s” is not one of OPM's values")
                % {"field": labels[name], "value": value}
            )
    if coding.training_credit and not coding.training_credit_type_code:
        problems.append(_("training credit type code is missing (the training earns credit)"))
    if coding.training_credit_type_code and not coding.training_credit:
        problems.append(_("training credit type code is set but the training earns no credit"))
    return problems


def employee_identifiers(agency, user_ids) -> dict[int, str]:
    """{user id: employee id}: what the agency admin set (CSV or by hand), else SCIM's
    externalId. Two queries."""
    ids = external_ids(agency=agency, user_ids=user_ids)
    ids.update(
        EmployeeId.objects.filter(agency=agency, user_id__in=list(user_ids)).values_list(
            "user_id", "employee_id"
        )
    )
    return ids


def completions(agency, start: datetime.date, end: datetime.date):
    """The agency's completed enrollments whose completion falls in [start, end] (agency days)."""
    since, _unused = agency_day_bounds(agency.time_zone, start)
    _unused, until = agency_day_bounds(agency.time_zone, end)
    return (
        Enrollment.objects.filter(
            agency=agency,
            status=EnrollmentStatus.COMPLETED,
            completed_at__gte=since,
            completed_at__lt=until,
        )
        .select_related("course", "version", "user")
        .order_by("completed_at", "pk")
    )


FEED_CHUNK = 2000  # completions read (and employee ids looked up) per round trip


def feed_start(*, agency, start: datetime.date, end: datetime.date) -> Feed:
    """The feed's header (the subelement code) and its feed-wide problems; no record yet."""
    feed = Feed(agency=agency, start=start, end=end)
    settings = ReportingAgency.objects.filter(agency=agency).first()
    if settings is None or not settings.subelement_code:
        feed.problems.append(_("The agency subelement code is not set."))
    else:
        feed.subelement_code = settings.subelement_code
    return feed


def feed_build(*, agency, start: datetime.date, end: datetime.date) -> Feed:
    """Every completion in the period as a record, or as a rejection with its reasons, held in
    memory (the pages and tests); the export streams `feed_items` instead."""
    feed = feed_start(agency=agency, start=start, end=end)
    for key, record, rejection in feed_items(feed):
        if rejection is not None:
            feed.rejections.append(rejection)
        else:
            feed.records.append(record)
            feed.keys.append(key)
    return feed


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def feed_items(feed: Feed) -> Iterator[tuple[tuple, dict | None, Rejection | None]]:
    """Every completion of the period, one at a time: (key, record, None) when it passes the
    edits, else (key, None, rejection). Memory stays flat whatever the number of completions:
    enrollments and registrations are read FEED_CHUNK at a time from one query each; the
    codings of the period's courses, versions and sessions are read once (as many as there
    are courses, not completions), the employee ids once per chunk."""
    agency = feed.agency
    enrollments = completions(agency, feed.start, feed.end)
    owners = Course.objects.filter(pk__in=Subquery(enrollments.values("course_id")))
    codings = codings_for(agency.pk, owners.only("pk", "owner_id"))
    frozen = versions_coded(Subquery(enrollments.values("version_id")))
    for chunk in _chunks(enrollments.iterator(chunk_size=FEED_CHUNK), FEED_CHUNK):
        people = employee_identifiers(agency, {e.user_id for e in chunk})
        for enrollment in chunk:
            coding = coding_of(agency.pk, enrollment, codings, frozen)
            item = course_completion(feed, enrollment)
            yield _check(feed, item, coding, people.get(enrollment.user_id))
    registrations = attended(agency, feed.start, feed.end)
    session_codings = codings_of_sessions(agency.pk, Subquery(registrations.values("session_id")))
    for chunk in _chunks(registrations.iterator(chunk_size=FEED_CHUNK), FEED_CHUNK):
        people = employee_identifiers(agency, {r.user_id for r in chunk})
        for registration in chunk:
            coding = session_codings.get(registration.session_id)
            item = session_completion(feed, registration)
            yield _check(feed, item, coding, people.get(registration.user_id))


def versions_coded(version_ids) -> dict[int, VersionCoding]:
    """{version id: the owner's coding frozen with it}. One query."""
    return {row.version_id: row for row in VersionCoding.objects.filter(version_id__in=version_ids)}


def coding_of(agency_id, enrollment, codings, frozen):
    """The coding of one completion: the agency's own override of a course it was shared,
    else the owner's coding frozen with the version the learner completed, else the owner's
    current coding (versions published before freezing, or frozen while incomplete)."""
    coding = codings.get(enrollment.course_id)
    is_override = coding is not None and coding.agency_id != enrollment.course.owner_id
    if is_override:
        return coding
    return frozen.get(enrollment.version_id) or coding


@dataclass(frozen=True)
class Completion:
    """One completed training of one person, before the edits: a course or a live session."""

    key: tuple  # (source, enrollment or registration id, period)
    who: str
    title: str
    number: str  # the default course number code
    start: datetime.date
    end: datetime.date
    hours: Decimal  # the default duty hours
    fix_url: str  # where the coding is fixed
    fix_label: str


def course_completion(feed: Feed, enrollment) -> Completion:
    zone = feed.agency.time_zone
    end = agency_date(zone, enrollment.completed_at)
    return Completion(
        key=("course", enrollment.pk, enrollment.period),
        who=enrollment.user.email,
        title=enrollment.version.title,
        number=enrollment.course.slug[:40],
        start=agency_date(zone, enrollment.started_at) if enrollment.started_at else end,
        end=end,
        hours=duty_hours(None, enrollment.version.estimated_minutes),
        fix_url=reverse("ehri:coding", args=[enrollment.course_id]),
        fix_label=_("Code the course"),
    )


def session_completion(feed: Feed, registration) -> Completion:
    from .sessions import session_hours

    zone, session = feed.agency.time_zone, registration.session
    return Completion(
        key=("session", registration.pk, 1),
        who=registration.user.email,
        title=session.title,
        number=f"live-{session.pk}",
        start=agency_date(zone, session.starts_at),
        end=agency_date(zone, session.ends_at),
        hours=session_hours(session),
        fix_url=reverse("ehri:session_coding", args=[session.pk]),
        fix_label=_("Code the session"),
    )


def _check(feed: Feed, item: Completion, coding, employee_id: str | None):
    """(key, record, None) when the completion passes Academy's edits, else
    (key, None, rejection)."""
    key = (*item.key, item.end)
    hours = coding.duty_hours if coding is not None and coding.duty_hours else item.hours
    person_reasons = []
    course_reasons = coding_problems(coding, session=item.key[0] == "session")
    if not employee_id:
        person_reasons.append(_("the person has no employee id"))
    elif looks_like_ssn(employee_id):
        person_reasons.append(_("the employee id looks like a Social Security number"))
    if hours <= 0:
        course_reasons.append(_("training duty hours must be more than zero"))
    if item.end < item.start:
        course_reasons.append(_("the training end date is before its start date"))
    if person_reasons or course_reasons:
        by_person = bool(person_reasons)
        return (
            key,
            None,
            Rejection(
                who=item.who,
                course=item.title,
                reasons=person_reasons + course_reasons,
                fix_url=reverse("ehri:employee_ids") if by_person else item.fix_url,
                fix_label=_("Set the employee id") if by_person else item.fix_label,
            ),
        )
    values = {spec.element: getattr(coding, spec.name) or "" for spec in COURSE_FIELDS}
    values["CourseNumberCode"] = values["CourseNumberCode"] or item.number
    values.update(
        AgencySubelementCode=feed.subelement_code,
        EmployeeIdentifier=employee_id,
        CourseTitle=item.title,
        TrainingStartDate=item.start.isoformat(),
        TrainingEndDate=item.end.isoformat(),
        TrainingDutyHours=str(hours),
        TrainingNonDutyHours="0",
        TrainingCredit="" if coding.training_credit is None else str(coding.training_credit),
    )
    return key, {column: values.get(column, "") for column in RECORD_COLUMNS}, None


def last_month(agency) -> tuple[datetime.date, datetime.date]:
    """The agency's previous calendar month, the monthly feed's period."""
    first_of_this = agency_date(agency.time_zone).replace(day=1)
    end = first_of_this - datetime.timedelta(days=1)
    return end.replace(day=1), end


def last_month_rows(scope):
    """reports.registries.report_kinds' rows for "ehri": last month's records as a delimited
    file (the header, then one row per record). Whole agencies only: the feed is the agency's."""
    if scope.agency is None or scope.unit is not None or scope.course_ids is not None:
        raise ValueError(_("The OPM training feed covers one whole agency."))
    start, end = last_month(scope.agency)
    feed = feed_start(agency=scope.agency, start=start, end=end)
    yield RECORD_COLUMNS
    for _key, record, _rejection in feed_items(feed):
        if record is not None:
            yield tuple(record[column] for column in RECORD_COLUMNS)


def corrections_preview(*, agency):
    """What the next feed will list as corrections (ehri.corrections)."""
    from .corrections import corrections_find

    return corrections_find(agency=agency)


def courses_available(agency_id):
    """The courses an agency codes: its own, and those its people may take."""
    from django.db.models import Q

    from courses.access import course_visible_to_agency_q
    from courses.models import Course

    return Course.objects.filter(
        Q(owner_id=agency_id) | course_visible_to_agency_q(agency_id)
    ).distinct()
