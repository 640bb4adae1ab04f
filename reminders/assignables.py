"""The built-in kinds of assignable item, a course and a learning path.

Registered in `reminders.registries.assignable_kinds` by `RemindersConfig.ready()`.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.access import course_available_to_agency_q
from courses.models import Course, LearningPath, LearningPathCourse

from .registries import AssignableKind


def course_choices(agency_id):
    """Published courses that learners of the agency may take."""
    return Course.objects.filter(course_available_to_agency_q(agency_id))


def course_courses(assignment) -> list:
    return [Course.objects.select_related("current_version").get(pk=assignment.course_id)]


def path_choices(agency_id):
    """Published paths of the agency, or of the platform."""
    return LearningPath.objects.filter(
        Q(owner_id=agency_id) | Q(owner__isnull=True), is_published=True
    )


def path_courses(assignment) -> list:
    """The path's courses in order, those available to the assignment's agency."""
    order = list(
        LearningPathCourse.objects.filter(path_id=assignment.path_id)
        .order_by("position", "id")
        .values_list("course_id", flat=True)
    )
    courses = {
        c.pk: c
        for c in Course.objects.filter(
            course_available_to_agency_q(assignment.agency_id), pk__in=order
        ).select_related("current_version")
    }
    return [courses[pk] for pk in order if pk in courses]


COURSE = AssignableKind(
    field="course", label=_("Course"), choices=course_choices, courses=course_courses
)
PATH = AssignableKind(
    field="path", label=_("or a learning path"), choices=path_choices, courses=path_courses
)
