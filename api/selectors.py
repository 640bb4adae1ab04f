"""Reads for the API, each scoped twice: to what the client's agency admin sees (the same
access rules as the site) and to the client's agency."""

from django.db.models import Q

from agencies.access import members_visible_to, scope_q, units_visible_to
from courses.access import course_visible_q
from courses.models import Course, Status
from courses.selectors import path_catalog
from learning.models import Enrollment
from learning.selectors import agency_certificates

from .models import ApiClient


def client_list(*, agency):
    """The agency's API clients, newest first, with their creator."""
    return ApiClient.objects.filter(agency=agency).select_related("created_by", "application")


def people(*, client: ApiClient):
    """The agency's people (memberships) the client's admin sees, with user and unit."""
    return (
        members_visible_to(client.created_by)
        .filter(agency_id=client.agency_id)
        .select_related("user", "unit")
    )


def units(*, client: ApiClient):
    """The agency's units, in tree order (path)."""
    return units_visible_to(client.created_by).filter(agency_id=client.agency_id).order_by("path")


def enrollments(*, client: ApiClient):
    """The agency's enrollments the client's admin sees, with learner and course loaded."""
    return (
        Enrollment.objects.filter(scope_q(client.created_by), agency_id=client.agency_id)
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
        .filter(issued_for__agency_id=client.agency_id)
        .select_related("issued_for")
        .order_by()
    )


def paths(*, client: ApiClient):
    """The published learning paths the client's agency sees (its own and the shared ones),
    each with its steps among the courses the agency sees (`visible_steps`, in order)."""
    return path_catalog(client.created_by).filter(
        Q(owner__isnull=True) | Q(owner_id=client.agency_id)
    )
