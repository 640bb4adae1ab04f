"""Reads for ehri's pages, scoped to the acting user's agency, bounded in queries."""

from django.http import Http404

from agencies.access import actor_for
from courses.models import Course

from .feed import coding_problems, codings_for, courses_available
from .models import CourseCoding, FeedExport, ReportingAgency

COURSE_LIST_LIMIT = 500


def courses_for_agency(agency_id):
    return courses_available(agency_id)


def access_course_for_coding(user, course_id) -> Course:
    """A course the user's agency owns or may take, for its trainers (own courses) or its
    admins (any of them); 404 otherwise, whether missing or forbidden."""
    actor = actor_for(user)
    if actor.agency_id is None or not (actor.is_trainer or actor.is_agency_admin):
        raise Http404
    try:
        course = courses_for_agency(actor.agency_id).select_related("owner").get(pk=course_id)
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not actor.is_agency_admin and course.owner_id != actor.agency_id:
        raise Http404
    return course


def coding_for(*, course, agency_id) -> tuple[CourseCoding | None, CourseCoding | None]:
    """(the agency's own coding row, the owner's row when it is another agency's). Two
    queries at most."""
    rows = {
        row.agency_id: row
        for row in CourseCoding.objects.filter(
            course=course, agency_id__in={agency_id, course.owner_id} - {None}
        )
    }
    owner = rows.get(course.owner_id) if course.owner_id != agency_id else None
    return rows.get(agency_id), owner


def course_coding_list(*, agency_id) -> list[dict]:
    """Each course of the agency (at most COURSE_LIST_LIMIT, by title) with what its coding
    lacks for the feed. Two queries."""
    courses = list(courses_for_agency(agency_id).order_by("title", "pk")[:COURSE_LIST_LIMIT])
    codings = codings_for(agency_id, courses)
    return [
        {
            "course": course,
            "own": course.owner_id == agency_id,
            "problems": coding_problems(codings.get(course.pk)),
        }
        for course in courses
    ]


def reporting_settings(*, agency) -> ReportingAgency | None:
    return ReportingAgency.objects.filter(agency=agency).first()


def feed_exports(*, agency, limit=20):
    return list(FeedExport.objects.filter(agency=agency)[:limit])


def access_export(user, export_id) -> FeedExport:
    """A finished or running export of an agency the user administers, or 404."""
    actor = actor_for(user)
    export = FeedExport.objects.select_related("agency").filter(pk=export_id).first()
    if export is None or not actor.administers_agency(export.agency_id):
        raise Http404
    return export
