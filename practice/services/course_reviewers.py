"""Naming the reviewers of a course's practice tasks, for the namer's agency."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from agencies.models import Membership, Role
from courses.models import Course

from ..access import reviewer_courses_q
from ..models import CourseReviewer


def reviewer_candidates(agency_id: int):
    """Who may be named: the agency's active trainers and admins (a queryset of memberships,
    with their users)."""
    return (
        Membership.objects.filter(
            agency_id=agency_id,
            is_active=True,
            user__is_active=True,
            role__in=[Role.TRAINER, Role.AGENCY_ADMIN],
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def course_reviewers_set(*, actor, agency, course, user_ids, ip=None) -> list[int]:
    """Name the reviewers of the course's practice tasks for the actor's agency (an empty list:
    none named, every trainer and admin of the agency reviews). Only the agency's admins, or
    a trainer of the agency that owns the course, may; each person must be an active trainer
    or admin of that agency. Audited; refused with nothing written otherwise. Returns the ids
    now named."""
    who = actor_for(actor)
    wanted = sorted({int(pk) for pk in user_ids})
    before = sorted(
        CourseReviewer.objects.filter(agency=agency, course=course).values_list(
            "user_id", flat=True
        )
    )
    with audited(
        actor=actor,
        agency=agency,
        action="practice.reviewers",
        target=course.slug,
        ip=ip,
        changes={"reviewers": [before, wanted]},
    ):
        may = Course.objects.filter(reviewer_courses_q(who), pk=course.pk).exists()
        if who.agency_id != agency.pk or not may:
            raise ValidationError(_("You cannot name the reviewers of this course."))
        allowed = set(
            reviewer_candidates(agency.pk)
            .filter(user_id__in=wanted)
            .values_list("user_id", flat=True)
        )
        if set(wanted) - allowed:
            raise ValidationError(_("Reviewers must be trainers or admins of your agency."))
        CourseReviewer.objects.filter(agency=agency, course=course).exclude(
            user_id__in=wanted
        ).delete()
        CourseReviewer.objects.bulk_create(
            [
                CourseReviewer(agency=agency, course=course, user_id=pk, added_by=actor)
                for pk in wanted
                if pk not in before
            ],
            ignore_conflicts=True,
        )
    return wanted
