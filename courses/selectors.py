"""Reads for display, always scoped to what the acting user may see, in bounded queries."""

from django.db.models import Prefetch, Q

from agencies.access import actor_for

from . import registries
from .access import access_course_for_learner, course_visible_q, courses_editable_by
from .models import (
    Course,
    CourseVersion,
    LearningPath,
    LearningPathCourse,
    Status,
    Topic,
    VisibilityRequest,
)

# Length bands for the catalog filter, in minutes (inclusive bounds; None: no upper bound).
LENGTH_BANDS = {"short": (0, 30), "medium": (31, 90), "long": (91, None)}


def _published_visible(user):
    return Course.objects.filter(course_visible_q(user), status=Status.PUBLISHED)


def course_catalog(
    user,
    *,
    search: str = "",
    topic: str = "",
    level: str = "",
    length: str = "",
    language: str = "",
):
    """Published, non-archived courses visible to the user's agency, filtered.

    Matches every word of `search` in the published title or summary. Filters by topic slug,
    level, length band (short/medium/long) and language. Three queries whatever the size:
    the acting membership (cached per request), the courses, and their topics.
    """
    courses = _published_visible(user)
    for word in search.split()[:10]:
        courses = courses.filter(
            Q(current_version__title__icontains=word) | Q(current_version__summary__icontains=word)
        )
    if topic:
        courses = courses.filter(current_version__topics__slug=topic)
    if level:
        courses = courses.filter(current_version__level=level)
    if language:
        courses = courses.filter(current_version__language=language)
    if length in LENGTH_BANDS:
        low, high = LENGTH_BANDS[length]
        courses = courses.filter(current_version__estimated_minutes__gte=low)
        if high is not None:
            courses = courses.filter(current_version__estimated_minutes__lte=high)
    return (
        courses.select_related("current_version")
        .defer("current_version__snapshot")
        .prefetch_related(Prefetch("current_version__topics", Topic.objects.order_by("name")))
        .order_by("current_version__title", "pk")
    )


def catalog_topics(user):
    """Topics used by at least one published version of a course the user's agency may see
    (for the topic filter: another agency's private tags are not listed)."""
    used = CourseVersion.topics.through.objects.filter(
        course_visible_q(user, prefix="courseversion__course__"),
        courseversion__course__status=Status.PUBLISHED,
    ).values("topic_id")
    return Topic.objects.filter(pk__in=used).order_by("name")


def path_catalog(user):
    """Published learning paths for the user's agency, each with its visible published courses."""
    actor = actor_for(user)
    owned = Q(owner__isnull=True)
    if actor.is_platform_admin:
        owned = Q()
    elif actor.agency_id:
        owned |= Q(owner_id=actor.agency_id)
    steps = (
        LearningPathCourse.objects.filter(course__in=_published_visible(user).values("pk"))
        .select_related("course__current_version")
        .defer("course__current_version__snapshot")
        .order_by("position", "pk")
    )
    return (
        LearningPath.objects.filter(owned, is_published=True)
        .prefetch_related(Prefetch("steps", steps, to_attr="visible_steps"))
        .order_by("title")
    )


def learner_states(user, courses) -> dict[int, registries.LearnerCourseState]:
    """Where the user stands in each of `courses` (catalog tag, main button), by course id.

    Asks every provider in `registries.learner_states` (the first to answer for a course wins):
    one query per provider whatever the number of courses, none when there are no courses.
    """
    courses = list(courses)
    states: dict[int, registries.LearnerCourseState] = {}
    if not courses:
        return states
    for _name, provider in registries.learner_states.items():
        for course_id, state in provider(user, courses).items():
            states.setdefault(course_id, state)
    return states


def course_detail(user, slug: str) -> dict:
    """The published course page: version metadata and syllabus from the frozen snapshot."""
    course = access_course_for_learner(user, slug)
    version = course.current_version
    snapshot = version.snapshot
    modules = [
        {
            "key": m["key"],
            "title": m["title"],
            "lessons": [
                {
                    "key": le["key"],
                    "title": le["title"],
                    "estimated_minutes": le["estimated_minutes"],
                    "has_video": bool(le.get("video_url")),
                }
                for le in m["lessons"]
            ],
            "quiz": (
                {"title": m["quiz"]["title"], "pass_mark": m["quiz"]["pass_mark"]}
                if m.get("quiz")
                else None
            ),
        }
        for m in snapshot["modules"]
    ]
    final = snapshot.get("quiz")
    return {
        "course": course,
        "version": version,
        "audience": snapshot.get("audience", ""),
        "outcomes": snapshot.get("outcomes", []),
        "topics": list(version.topics.order_by("name")),
        "modules": modules,
        "final_quiz": {"title": final["title"], "pass_mark": final["pass_mark"]} if final else None,
        "lesson_count": sum(len(m["lessons"]) for m in modules),
    }


def studio_courses(user):
    """Courses the user may edit (drafts included), for the trainer studio's list."""
    return (
        courses_editable_by(user)
        .select_related("owner", "current_version")
        .defer("current_version__snapshot")
        .order_by("title")
    )


def course_versions(course: Course):
    """A course's version history, newest first (snapshots left out)."""
    return course.versions.select_related("published_by").defer("snapshot").order_by("-number")


def visibility_requests_pending():
    """Pending requests to show a course to every agency, oldest first, with the course, its
    owner agency and who asked (platform admins' review page; callers check the role)."""
    return VisibilityRequest.objects.filter(state=VisibilityRequest.State.PENDING).select_related(
        "course__owner", "requested_by"
    )


def lesson_objectives(course: Course) -> list[str]:
    """The objectives the course's draft lessons state, in course order, each once (one query)."""
    lists = course.lessons.order_by("module__position", "position").values_list(
        "objectives", flat=True
    )
    return list(dict.fromkeys(o for objectives in lists for o in objectives or []))
