"""Reads for the API, each scoped twice: to what the client's agency admin sees (the same
access rules as the site) and to the client's agency."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from agencies.access import actor_for, members_visible_to, scope_q, units_visible_to
from courses.access import course_visible_q
from courses.models import Course, Status
from courses.selectors import path_catalog
from learning.models import Enrollment, LearningEvent
from learning.selectors import agency_certificates
from reminders.selectors import assignment_list
from reports.access import report_runs_visible_to

from .models import ApiClient

User = get_user_model()


def _agency_q(client: ApiClient, field: str = "agency_id") -> Q:
    """The client's agency; every agency for a platform client (its platform admin's scope
    then decides, as on the site)."""
    return Q() if client.agency_id is None else Q(**{field: client.agency_id})


# An enrollment's columns in the API: what `enrollments` loads for one enrollment.
ENROLLMENT_COLUMNS = (
    "id",
    "user_id",
    "user__email",
    "course_id",
    "course__slug",
    "course__title",
    "unit_id",
    "status",
    "progress_percent",
    "started_at",
    "completed_at",
    "final_score",
    "due_on",
    "required",
    "period",
    "imported_at",
    "created_at",
    "updated_at",
)


# What the sync feed reads of a page of enrollments, as tuples (api.serializers.enrollment_rows):
# the enrollment's own columns and its learner's address (`enrollment_feed`); the course's key and
# title come from `course_refs`, one small query a page, instead of a join on every row.
ENROLLMENT_FEED_COLUMNS = (
    "id",
    "user_id",
    "learner_email",
    "course_id",
    "unit_id",
    "status",
    "progress_percent",
    "started_at",
    "completed_at",
    "final_score",
    "due_on",
    "required",
    "period",
    "imported_at",
    "created_at",
    "updated_at",
)

# What the learning events feed reads of a page, as tuples (api.serializers.learning_event_rows).
LEARNING_EVENT_FEED_COLUMNS = (
    "id",
    "user_id",
    "verb",
    "object_type",
    "object_key",
    "course_id",
    "result",
    "created_at",
)


def _in_unit(client: ApiClient, unit_id: int, field: str = "unit__path") -> Q:
    """Rows of the unit `unit_id` and the units below it; nothing for a unit the client does
    not see."""
    unit = units(client=client).filter(pk=unit_id).first()
    if unit is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": unit.path})


def _settled(rows, field: str):
    """Rows stamped at least API_SYNC_SETTLE_SECONDS ago: a transaction that stamped its rows a
    moment before it committed is never jumped over by a sync cursor that already read past
    its timestamp."""
    settle = datetime.timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)
    return rows.filter(**{f"{field}__lte": timezone.now() - settle}) if settle else rows


def client_list(*, agency):
    """The agency's API clients (the platform's when `agency` is None), newest first, with
    their creator."""
    rows = ApiClient.objects.select_related("created_by", "application")
    return rows.filter(agency__isnull=True) if agency is None else rows.filter(agency=agency)


def client_for_admin(*, user, client_id) -> ApiClient | None:
    """A client the user may manage: one of their agency's (agency admins), or a platform
    client (platform admins); None otherwise."""
    actor = actor_for(user)
    rows = ApiClient.objects.select_related("agency").filter(pk=client_id)
    if actor.is_platform_admin:
        allowed = Q(agency__isnull=True)
        if actor.agency_id:
            allowed |= Q(agency_id=actor.agency_id)
        return rows.filter(allowed).first()
    if actor.agency_id and actor.administers_agency(actor.agency_id):
        return rows.filter(agency_id=actor.agency_id).first()
    return None


def people(*, client: ApiClient, unit=None, role=None, active=None, updated_since=None):
    """The agency's people (memberships) the client's admin sees, with user and unit; narrowed
    to a unit's subtree, a role, active or not, or changed (membership or user) since a time."""
    rows = members_visible_to(client.created_by).filter(_agency_q(client))
    if unit is not None:
        rows = rows.filter(_in_unit(client, unit))
    if role is not None:
        rows = rows.filter(role=role)
    if active is not None:
        rows = rows.filter(is_active=active)
    if updated_since is not None:
        rows = rows.filter(
            Q(updated_at__gte=updated_since) | Q(user__updated_at__gte=updated_since)
        )
    return rows.select_related("user", "unit")


def units(*, client: ApiClient):
    """The agency's units, in tree order (path)."""
    return units_visible_to(client.created_by).filter(_agency_q(client)).order_by("path")


def enrollments(
    *, client: ApiClient, course=None, unit=None, status=None, updated_since=None, settled=False
):
    """The agency's enrollments the client's admin sees, with learner and course loaded;
    narrowed by course, unit subtree, status or change time, and to settled rows for a sync."""
    rows = Enrollment.objects.filter(scope_q(client.created_by), _agency_q(client))
    if course is not None:
        rows = rows.filter(course_id=course)
    if unit is not None:
        rows = rows.filter(_in_unit(client, unit))
    if status is not None:
        rows = rows.filter(status=status)
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=updated_since)
    if settled:
        rows = _settled(rows, "updated_at")
    return rows.select_related("user", "course").only(*ENROLLMENT_COLUMNS)


def enrollment_feed(rows):
    """`enrollments` as tuples of ENROLLMENT_FEED_COLUMNS, for the sync feed. The learner's
    address is a lookup per row, `(SELECT email FROM accounts_user WHERE id = user_id)`, not a
    join: PostgreSQL reads it from accounts' `user_email_by_id` index alone (no visit to the
    user's row once the table is vacuumed), where the join read the user's row through the
    primary key; about a third of a 5,000-row page's query (docs/performance.md, "Third
    pass")."""
    email = User.objects.filter(pk=OuterRef("user_id")).values("email")
    return rows.annotate(learner_email=Subquery(email)).values_list(*ENROLLMENT_FEED_COLUMNS)


def course_refs(course_ids) -> dict[int, dict]:
    """{id: {"id", "slug", "title"}} of these courses, in one query: the courses of a page of
    the client's enrollments, which the client sees through them whoever owns the course."""
    rows = Course.objects.filter(pk__in=set(course_ids)).values_list("id", "slug", "title")
    return {pk: {"id": pk, "slug": slug, "title": title} for pk, slug, title in rows}


def courses(*, client: ApiClient):
    """The published courses the client's agency sees (its own and those shared with it)."""
    return Course.objects.filter(course_visible_q(client.created_by), status=Status.PUBLISHED)


def certificates(*, client: ApiClient, course=None):
    """Certificates earned in the client's agency (of one course), with the enrollment they
    were issued for."""
    rows = agency_certificates(client.created_by).filter(_agency_q(client, "issued_for__agency_id"))
    if course is not None:
        rows = rows.filter(issued_for__course_id=course)
    return rows.select_related("issued_for").order_by()


def paths(*, client: ApiClient):
    """The published learning paths the client's agency sees (its own and the shared ones),
    each with its steps among the courses the agency sees (`visible_steps`, in order)."""
    if client.agency_id is None:
        return path_catalog(client.created_by)
    return path_catalog(client.created_by).filter(
        Q(owner__isnull=True) | Q(owner_id=client.agency_id)
    )


def people_users(*, client: ApiClient):
    """The users behind `people`: whom an assignment of the client may name."""
    return User.objects.filter(pk__in=people(client=client).values("user_id"))


def assignments(*, client: ApiClient):
    """The assignments of the client's agency its admin sees, removed ones included, with the
    ids of the people named (for assignments to chosen people)."""
    return (
        assignment_list(user=client.created_by)
        .filter(_agency_q(client))
        .prefetch_related(Prefetch("people", User.objects.only("id").order_by("id")))
        .order_by()
    )


def report_runs(*, client: ApiClient):
    """The report runs of the client's agency whose scope its admin may see (the site's rule,
    `reports.access.report_runs_visible_to`), whoever asked for them."""
    return (
        report_runs_visible_to(client.created_by)
        .filter(_agency_q(client))
        .select_related("agency", "unit")
        .order_by()
    )


def learning_events(*, client: ApiClient, verb=None, course=None, person=None, settled=False):
    """The agency's learning events (who did what, when): every one of the agency's, as its
    admin sees them (`client_for_token` has checked the client's creator administers it);
    narrowed by verb, course or person, and to settled rows for a sync."""
    rows = LearningEvent.objects.filter(_agency_q(client))
    if verb is not None:
        rows = rows.filter(verb=verb)
    if course is not None:
        rows = rows.filter(course_id=course)
    if person is not None:
        rows = rows.filter(user_id=person)
    if settled:
        rows = _settled(rows, "created_at")
    return rows.only(
        "id", "user_id", "verb", "object_type", "object_key", "course_id", "result", "created_at"
    )
