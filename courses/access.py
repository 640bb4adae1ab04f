"""Who may touch which course. Lookups answer 404 whether the course is missing or forbidden.

Course visibility is agency-wide (every agency, chosen agencies, or the owner), not about people
in units, so it is built here from the acting user's `Actor` (agencies.access.actor_for) rather
than from `scope_q`, which filters rows about people by unit and user.
"""

from django.db.models import Q
from django.http import Http404

from agencies.access import Actor, actor_for

from .models import Course, Status, Visibility


def can_edit_course(actor: Actor, course: Course) -> bool:
    """Trainers and agency admins edit their agency's courses; platform admins platform ones."""
    if course.owner_id is None:
        return actor.is_platform_admin
    return actor.is_trainer and actor.agency_id == course.owner_id


def can_author_for(actor: Actor, agency) -> bool:
    """May the actor create courses owned by `agency` (None: a platform course)?"""
    if agency is None:
        return actor.is_platform_admin
    return actor.is_trainer and actor.agency_id == agency.pk


def courses_editable_by(user):
    actor = actor_for(user)
    if actor.is_trainer and actor.agency_id:
        mine = Q(owner_id=actor.agency_id)
        return Course.objects.filter(
            mine | Q(owner__isnull=True) if actor.is_platform_admin else mine
        )
    if actor.is_platform_admin:
        return Course.objects.filter(owner__isnull=True)
    return Course.objects.none()


def course_visible_to_agency_q(agency_id: int | None, *, prefix: str = "") -> Q:
    """Courses that learners of agency `agency_id` may see, published or not (callers add
    status): every agency's, the agency's own, and those shared with it."""
    p = prefix
    visible = Q(**{f"{p}visibility": Visibility.ALL})
    if agency_id:
        shared = Course.shared_with.through.objects.filter(agency_id=agency_id)
        visible |= Q(**{f"{p}owner_id": agency_id})
        visible |= Q(
            **{f"{p}visibility": Visibility.CHOSEN, f"{p}pk__in": shared.values("course_id")}
        )
    return visible


def paths_visible_to_agency_q(agency_id: int | None) -> Q:
    """Learning paths listed for learners of agency `agency_id`, published or not (callers add
    it): the platform's and the agency's own; only the platform's without an agency."""
    owned = Q(owner__isnull=True)
    if agency_id:
        owned |= Q(owner_id=agency_id)
    return owned


def course_available_to_agency_q(agency_id: int) -> Q:
    """Published courses that learners of the agency may take (what may be assigned)."""
    return Q(status=Status.PUBLISHED) & course_visible_to_agency_q(agency_id)


def course_visible_q(user, *, prefix: str = "") -> Q:
    """Courses a learner of the user's agency may see, published or not (callers add status)."""
    actor = actor_for(user)
    if actor.is_platform_admin:
        return Q()
    return course_visible_to_agency_q(actor.agency_id, prefix=prefix)


def access_course_for_edit(user, course_id) -> Course:
    """A course the user may edit, or 404."""
    try:
        return (
            courses_editable_by(user).select_related("owner", "current_version").get(pk=course_id)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_course_for_learner(user, slug) -> Course:
    """A published course visible to the user's agency, with its current version, or 404."""
    try:
        return (
            Course.objects.filter(course_visible_q(user), status=Status.PUBLISHED)
            .select_related("current_version")
            .get(slug=slug)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
