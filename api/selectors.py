"""Reads for the API, each scoped twice: to what the client's agency admin sees (the same
access rules as the site) and to the client's agency."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q

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


def people(*, client: ApiClient):
    """The agency's people (memberships) the client's admin sees, with user and unit."""
    return (
        members_visible_to(client.created_by)
        .filter(_agency_q(client))
        .select_related("user", "unit")
    )


def units(*, client: ApiClient):
    """The agency's units, in tree order (path)."""
    return units_visible_to(client.created_by).filter(_agency_q(client)).order_by("path")


def enrollments(*, client: ApiClient):
    """The agency's enrollments the client's admin sees, with learner and course loaded."""
    return (
        Enrollment.objects.filter(scope_q(client.created_by), _agency_q(client))
        .select_related("user", "course")
        .only(
            "id",
            "user__id",
            "user__email",
            "course__id",
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
    )


def courses(*, client: ApiClient):
    """The published courses the client's agency sees (its own and those shared with it)."""
    return Course.objects.filter(course_visible_q(client.created_by), status=Status.PUBLISHED)


def certificates(*, client: ApiClient):
    """Certificates earned in the client's agency, with the enrollment they were issued for."""
    return (
        agency_certificates(client.created_by)
        .filter(_agency_q(client, "issued_for__agency_id"))
        .select_related("issued_for")
        .order_by()
    )


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


def learning_events(*, client: ApiClient):
    """The agency's learning events (who did what, when): every one of the agency's, as its
    admin sees them (`client_for_token` has checked the client's creator administers it)."""
    return LearningEvent.objects.filter(_agency_q(client)).only(
        "id", "user_id", "verb", "object_type", "object_key", "course_id", "result", "created_at"
    )
