"""My learning's per-learner reads as statements compiled once per process (academy.prepared).

The page used to build and compile its ORM queries on every request, which cost more CPU than
running them (docs/performance.md, "CPU per request"). Each read here is the same queryset,
built once with markers in place of the learner, their agency and today's date, then run with
the real values. What the acting user may see is decided as before: the learner's own rows by
their id, the courses and paths by their agency's visibility rules (courses.access), in three
shapes (a member of an agency, no agency, a platform admin) since a flag cannot be a
parameter. tests/learning/test_my_learning_reads.py checks each read against the selectors it
replaces.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from academy.prepared import prepared
from courses.access import course_visible_to_agency_q, paths_visible_to_agency_q
from courses.models import Course, LearningPath, LearningPathCourse, Status

from .models import Enrollment, EnrollmentStatus

SUGGESTIONS = 6

# An enrollment row: what My learning shows of it and sorts it by.
ENROLLMENT_FIELDS = {
    "course_id": "course_id",
    "slug": "course__slug",
    "title": "version__title",
    "status": "status",
    "required": "required",
    "due_on": "due_on",
    "progress_percent": "progress_percent",
    "started_at": "started_at",
    "completed_at": "completed_at",
    "final_score": "final_score",
    "certificate_code": "certificate__code",
    "certificate_revoked_at": "certificate__revoked_at",
}

_COURSE, _STATUS = (list(ENROLLMENT_FIELDS).index(name) for name in ("course_id", "status"))

# A suggestion: a course of the catalog (its order: title, then id) the learner is not in.
SUGGESTION_FIELDS = ("slug", "current_version__title", "current_version__estimated_minutes")


@prepared(user_id=int)
def enrollment_rows(user_id):
    """Every enrollment of the learner, as tuples in the order of ENROLLMENT_FIELDS."""
    return Enrollment.objects.filter(user_id=user_id).values_list(*ENROLLMENT_FIELDS.values())


def _published(visible: Q):
    return Course.objects.filter(visible, status=Status.PUBLISHED)


def _suggestions(user_id, visible: Q):
    enrolled = Enrollment.objects.filter(user_id=user_id).values("course_id")
    return (
        _published(visible)
        .exclude(pk__in=enrolled)
        .order_by("current_version__title", "pk")
        .values_list(*SUGGESTION_FIELDS)[:SUGGESTIONS]
    )


def _path_progress(user_id, owned: Q, visible: Q):
    """Published paths (`owned`: which), each with `total`, its courses that the learner may
    see and that are published, and `done`, those of them the learner completed."""
    steps = LearningPathCourse.objects.filter(
        path_id=OuterRef("pk"), course__in=_published(visible).values("pk")
    )
    completed = Enrollment.objects.filter(
        user_id=user_id, status=EnrollmentStatus.COMPLETED
    ).values("course_id")

    def count(queryset):
        counted = queryset.order_by().values("path_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return (
        LearningPath.objects.filter(owned, is_published=True)
        .annotate(total=count(steps), done=count(steps.filter(course_id__in=completed)))
        .order_by("title", "pk")
        .values_list("title", "total", "done")
    )


# The three shapes of what a user may see (courses.access.course_visible_q,
# courses.selectors.path_catalog_rows): a member of an agency sees every agency's courses, their
# agency's own and those shared with it, and the platform's paths and their agency's; someone
# with no agency every agency's courses and the platform's paths; a platform admin everything.


@prepared(user_id=int, agency_id=int)
def _agency_suggestions(user_id, agency_id):
    return _suggestions(user_id, course_visible_to_agency_q(agency_id))


@prepared(user_id=int)
def _unplaced_suggestions(user_id):
    return _suggestions(user_id, course_visible_to_agency_q(None))


@prepared(user_id=int)
def _platform_suggestions(user_id):
    return _suggestions(user_id, Q())


@prepared(user_id=int, agency_id=int)
def _agency_paths(user_id, agency_id):
    return _path_progress(
        user_id, paths_visible_to_agency_q(agency_id), course_visible_to_agency_q(agency_id)
    )


@prepared(user_id=int)
def _unplaced_paths(user_id):
    return _path_progress(
        user_id, paths_visible_to_agency_q(None), course_visible_to_agency_q(None)
    )


@prepared(user_id=int)
def _platform_paths(user_id):
    return _path_progress(user_id, Q(), Q())


def suggestion_rows(actor, user_id: int) -> list[tuple]:
    """Up to SUGGESTIONS published courses the actor may see and is not enrolled in, in the
    catalog's order, as (slug, title, minutes). One query."""
    if actor.is_platform_admin:
        return _platform_suggestions(user_id=user_id)
    if actor.agency_id is None:
        return _unplaced_suggestions(user_id=user_id)
    return _agency_suggestions(user_id=user_id, agency_id=actor.agency_id)


def path_progress_rows(actor, user_id: int) -> list[tuple]:
    """The published paths the actor may see, by title, as (title, total, done): how many of
    the path's courses the actor may see (published), and how many of those they completed.
    One query."""
    if actor.is_platform_admin:
        return _platform_paths(user_id=user_id)
    if actor.agency_id is None:
        return _unplaced_paths(user_id=user_id)
    return _agency_paths(user_id=user_id, agency_id=actor.agency_id)


def suggestions_from_catalog(catalog: dict, rows: list[tuple]) -> list[tuple] | None:
    """`suggestion_rows` from the audience's catalog (courses.selectors.audience_catalog) and
    the learner's `enrollment_rows`; None when the catalog kept too few courses to tell (the
    caller reads `suggestion_rows`). No query."""
    enrolled = {row[_COURSE] for row in rows}
    picks = []
    for pk, slug, title, minutes in catalog["courses"]:
        if pk not in enrolled:
            picks.append((slug, title, minutes))
            if len(picks) == SUGGESTIONS:
                return picks
    return picks if catalog["all_courses"] else None


def path_progress_from_catalog(catalog: dict, rows: list[tuple]) -> list[tuple]:
    """`path_progress_rows` from the audience's catalog (courses.selectors.audience_catalog)
    and the learner's `enrollment_rows`. No query."""
    completed = {row[_COURSE] for row in rows if row[_STATUS] == EnrollmentStatus.COMPLETED}
    return [
        (title, len(steps), sum(course_id in completed for course_id in steps))
        for title, steps in catalog["paths"]
    ]


def clear() -> None:
    """Forget the compiled statements (tests that change settings the SQL depends on)."""
    for read in (
        enrollment_rows,
        _agency_suggestions,
        _unplaced_suggestions,
        _platform_suggestions,
        _agency_paths,
        _unplaced_paths,
        _platform_paths,
    ):
        read.clear()
