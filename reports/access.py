"""Who may see which dashboard or report: built on agencies.access, answering 404 otherwise.

A manager sees their unit and the units below it, an agency admin their agency, a platform
admin any agency or all agencies together. Asking for anything outside that is a 404, whether
it exists or not.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from agencies.access import access_agency, access_unit, actor_for, members_visible_to
from agencies.dates import agency_date
from agencies.models import Agency, Membership, Unit
from courses.access import course_visible_q
from courses.models import Course, LearningPath

from .models import ReportRun

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DashboardScope:
    """What a dashboard or report covers. `agency` None means all agencies (platform admins)."""

    agency: Agency | None
    unit: Unit | None = None
    course: Course | None = None
    learning_path: LearningPath | None = None
    course_ids: tuple[int, ...] | None = None
    required_only: bool = False
    start: datetime.date | None = None
    end: datetime.date | None = None
    locked_unit: bool = field(default=False, compare=False)  # managers cannot widen it

    @property
    def agency_id(self):
        return self.agency.pk if self.agency else None

    def today(self, at: datetime.datetime | None = None) -> datetime.date:
        """The agency's date now (or `at`): due dates are agency-local (agencies.dates); across
        agencies, the site's time zone."""
        return agency_date(self.agency.time_zone if self.agency else None, at)

    def place_q(self, *, unit_path="unit__path") -> Q:
        """Rows of this agency (and unit subtree); for models with agency and unit."""
        q = Q()
        if self.agency is not None:
            q &= Q(agency_id=self.agency.pk)
        if self.unit is not None:
            q &= Q(**{f"{unit_path}__startswith": self.unit.path})
        return q

    def unit_cells_q(self) -> Q:
        """Roll-up rows without the course (UnitCell) in scope; only when no course filter."""
        assert self.course_ids is None
        q = self.place_q()
        if self.required_only:
            q &= Q(required=True)
        return q

    def course_cells_q(self) -> Q:
        """Roll-up rows without the unit (CourseCell) in scope; only for a whole agency (or
        all agencies)."""
        assert self.unit is None
        q = self.place_q()
        if self.course_ids is not None:
            q &= Q(course_id__in=self.course_ids)
        if self.required_only:
            q &= Q(required=True)
        return q

    def cells_q(self) -> Q:
        """Aggregate rows in scope, with the course and required filters."""
        q = self.place_q()
        if self.course_ids is not None:
            q &= Q(course_id__in=self.course_ids)
        if self.required_only:
            q &= Q(required=True)
        return q


def _visible_path(user, path_id):
    actor = actor_for(user)
    paths = LearningPath.objects.all()
    if not actor.is_platform_admin:
        paths = paths.filter(Q(owner__isnull=True) | Q(owner_id=actor.agency_id))
    try:
        return paths.get(pk=path_id)
    except (LearningPath.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dashboard_scope(
    user,
    *,
    agency_id=None,
    unit_id=None,
    course_id=None,
    path_id=None,
    required_only=False,
    start=None,
    end=None,
) -> DashboardScope:
    """The scope `user` asked for, or Http404 when any part of it is outside what they see."""
    actor = actor_for(user)
    if not actor.manages_people:
        raise Http404
    unit = access_unit(user, unit_id) if unit_id else None
    if actor.is_platform_admin:
        agency = access_agency(user, agency_id) if agency_id else (unit.agency if unit else None)
    else:
        if agency_id and str(agency_id) != str(actor.agency_id):
            raise Http404
        agency = access_agency(user, actor.agency_id)
    if unit is not None and agency is not None and unit.agency_id != agency.pk:
        raise Http404
    locked = False
    if actor.is_manager and not actor.is_platform_admin:
        if actor.unit_id is None:
            raise Http404
        locked = True
        if unit is None:
            unit = access_unit(user, actor.unit_id)
    course = path = None
    course_ids = None
    if course_id:
        try:
            course = Course.objects.filter(course_visible_q(user)).get(pk=course_id)
        except (Course.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        course_ids = (course.pk,)
    elif path_id:
        path = _visible_path(user, path_id)
        course_ids = tuple(path.steps.values_list("course_id", flat=True))
    if start and end and start > end:
        start, end = end, start
    if start and end and (end - start).days > MAX_RANGE_DAYS:
        start = end - datetime.timedelta(days=MAX_RANGE_DAYS)
    return DashboardScope(
        agency=agency,
        unit=unit,
        course=course,
        learning_path=path,
        course_ids=course_ids,
        required_only=bool(required_only),
        start=start,
        end=end,
        locked_unit=locked,
    )


def report_runs_visible_to(user):
    """Report runs whose scope the user may see (not only their own requests)."""
    # A run of a whole agency (no unit) is for the agency's admins only.
    return ReportRun.objects.filter(actor_for(user).rows_q(unit_path_field="unit__path"))


def access_report_run(user, run_id) -> ReportRun:
    try:
        return report_runs_visible_to(user).select_related("unit", "agency").get(pk=run_id)
    except (ReportRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_person(user, person_user_id) -> Membership:
    """The membership (with its user, unit and agency) of a person `user` manages: their unit's
    subtree for a manager, their agency for an agency admin, anyone for a platform admin.
    404 for anyone else, whether the person exists or not."""
    if not actor_for(user).manages_people:
        raise Http404
    try:
        return (
            members_visible_to(user)
            .select_related("user", "unit", "agency")
            .get(user_id=person_user_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
