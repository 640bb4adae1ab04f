"""Reads for display, always scoped to what the acting user may see, in bounded queries."""

from types import SimpleNamespace

from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q

from academy.fragments import TIMEOUT
from agencies.access import actor_for

from . import registries
from .access import (
    access_course_for_learner,
    course_visible_q,
    courses_editable_by,
    paths_visible_to_agency_q,
)
from .catalog_version import catalog_version
from .models import (
    Course,
    CourseVersion,
    Language,
    LearningPath,
    LearningPathCourse,
    Level,
    Status,
    Topic,
    VisibilityRequest,
)

# Length bands for the catalog filter, in minutes (inclusive bounds; None: no upper bound).
LENGTH_BANDS = {"short": (0, 30), "medium": (31, 90), "long": (91, None)}
CATALOG_PAGE_SIZE = 24


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
    return (
        _catalog_filtered(
            user, search=search, topic=topic, level=level, length=length, language=language
        )
        .select_related("current_version")
        .defer("current_version__snapshot")
        .prefetch_related(Prefetch("current_version__topics", Topic.objects.order_by("name")))
    )


def _catalog_filtered(user, *, search="", topic="", level="", length="", language=""):
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
    return courses.order_by("current_version__title", "pk")


CARD_FIELDS = {
    "pk": "pk",
    "slug": "slug",
    "version_id": "current_version_id",
    "title": "current_version__title",
    "summary": "current_version__summary",
    "level": "current_version__level",
    "minutes": "current_version__estimated_minutes",
    "language": "current_version__language",
}


def catalog_rows(user, **filters):
    """`course_catalog` as plain tuples for the catalog's cards (no model instances), in the
    order of CARD_FIELDS; `card_row` names them. To be paged, then completed by
    `catalog_cards`. One query (two with the paginator's count)."""
    return _catalog_filtered(user, **filters).values_list(*CARD_FIELDS.values())


def card_row(values: tuple) -> dict:
    """A tuple of `catalog_rows` as a dict keyed by the names of CARD_FIELDS."""
    return dict(zip(CARD_FIELDS, values, strict=True))


def catalog_cards(rows) -> list[dict]:
    """The rows of one catalog page, each with `topics` (the names of its version's topics, by
    name) and the labels of its level and language. One query, none without rows."""
    rows = [card_row(row) for row in rows]
    topics: dict[int, list[str]] = {}
    if rows:
        pairs = (
            CourseVersion.topics.through.objects.filter(
                courseversion_id__in={row["version_id"] for row in rows}
            )
            .order_by("topic__name", "topic_id")
            .values_list("courseversion_id", "topic__name")
        )
        for version_id, name in pairs:
            topics.setdefault(version_id, []).append(name)
    levels, languages = dict(Level.choices), dict(Language.choices)
    for row in rows:
        row["topics"] = tuple(topics.get(row["version_id"], ()))
        row["level_label"] = levels.get(row["level"], row["level"])
        row["language_label"] = languages.get(row["language"], row["language"])
    return rows


def catalog_topics(user):
    """Topics used by at least one published version of a course the user's agency may see
    (for the topic filter: another agency's private tags are not listed)."""
    used = CourseVersion.topics.through.objects.filter(
        course_visible_q(user, prefix="courseversion__course__"),
        courseversion__course__status=Status.PUBLISHED,
    ).values("topic_id")
    return Topic.objects.filter(pk__in=used).order_by("name")


def catalog_topic_rows(user) -> list[dict]:
    """`catalog_topics` as plain rows (slug, name), for the catalog's filter form (one query)."""
    return list(catalog_topics(user).values("slug", "name"))


def _paths_visible_q(actor) -> Q:
    """Learning paths listed for the actor: every path for a platform admin; else the platform's
    paths and those of the actor's agency (only the platform's without an agency)."""
    if actor.is_platform_admin:
        return Q()
    return paths_visible_to_agency_q(actor.agency_id)


def path_catalog(user):
    """Published learning paths for the user's agency, each with its visible published courses."""
    steps = (
        LearningPathCourse.objects.filter(course__in=_published_visible(user).values("pk"))
        .select_related("course__current_version")
        .defer("course__current_version__snapshot")
        .order_by("position", "pk")
    )
    return (
        LearningPath.objects.filter(_paths_visible_q(actor_for(user)), is_published=True)
        .prefetch_related(Prefetch("steps", steps, to_attr="visible_steps"))
        .order_by("title")
    )


def path_catalog_rows(user) -> list[dict]:
    """`path_catalog` as plain rows: each path's pk, slug, title and summary, with `steps`, its
    visible published courses in order as {course_id, slug, title}. Two queries (one when no
    path is published for the user)."""
    paths = list(
        LearningPath.objects.filter(_paths_visible_q(actor_for(user)), is_published=True)
        .order_by("title", "pk")
        .values("pk", "slug", "title", "summary")
    )
    if not paths:
        return paths
    by_pk = {path["pk"]: path for path in paths}
    for path in paths:
        path["steps"] = []
    steps = (
        LearningPathCourse.objects.filter(
            path_id__in=by_pk, course__in=_published_visible(user).values("pk")
        )
        .order_by("position", "pk")
        .values_list("path_id", "course_id", "course__slug", "course__current_version__title")
    )
    for path_id, course_id, slug, title in steps:
        by_pk[path_id]["steps"].append({"course_id": course_id, "slug": slug, "title": title})
    return paths


def catalog_audience(user):
    """What the user's catalog depends on besides its filters: "platform" for a platform admin
    (every course and path), else the user's agency id (None: no agency). Two users with the
    same audience see the same courses, topics and paths (`course_visible_q`,
    `_paths_visible_q`); only their own tags differ."""
    actor = actor_for(user)
    return "platform" if actor.is_platform_admin else actor.agency_id


# How many of the audience's courses `audience_catalog` keeps, in the catalog's order: My
# learning suggests the first six a learner is not enrolled in, and reads the database for a
# learner enrolled in so many of these that fewer are left.
AUDIENCE_CATALOG_COURSES = 64


def audience_catalog(user) -> dict | None:
    """The catalog of the user's audience (`catalog_audience`) as My learning uses it, read
    once per process and catalog version (courses.catalog_version: replaced by every service
    that changes what the catalog lists) and kept in the process's fragment cache: `courses`,
    the first AUDIENCE_CATALOG_COURSES of `catalog_rows` as (pk, slug, title, minutes);
    `all_courses`, whether they are all of them; `paths`, `path_catalog_rows` as (title,
    (the course id of each step, ...)). None when the version cannot be read (the caller reads
    the database). No query when cached, three when not."""
    version = catalog_version()
    if version is None:
        return None
    key = f"audience-catalog:{catalog_audience(user)}:{version}"
    cache = caches["fragments"]
    catalog = cache.get(key)
    if catalog is None:
        catalog = _audience_catalog(user)
        cache.set(key, catalog, TIMEOUT)
    return catalog


def _audience_catalog(user) -> dict:
    rows = [card_row(row) for row in catalog_rows(user)[: AUDIENCE_CATALOG_COURSES + 1]]
    return {
        "courses": [
            (row["pk"], row["slug"], row["title"], row["minutes"])
            for row in rows[:AUDIENCE_CATALOG_COURSES]
        ],
        "all_courses": len(rows) <= AUDIENCE_CATALOG_COURSES,
        "paths": [
            (path["title"], tuple(step["course_id"] for step in path["steps"]))
            for path in path_catalog_rows(user)
        ],
    }


def catalog_listing(user, *, filters: dict, page_number) -> dict:
    """The catalog's listing for the user's audience (`catalog_audience`), the same for everyone
    in it: `page`, a Paginator page of `catalog_cards` rows; `paths` (`path_catalog_rows`, only
    without filters); `topics` (`catalog_topic_rows`); `courses`, the (id, slug) of every course
    shown, cards and path steps, each once. At most six queries."""
    rows = catalog_rows(user, **filters)
    page = Paginator(rows, CATALOG_PAGE_SIZE).get_page(page_number)
    page.object_list = catalog_cards(page.object_list)
    paths = path_catalog_rows(user) if not any(filters.values()) else []
    shown = {card["pk"]: card["slug"] for card in page.object_list}
    for path in paths:
        for step in path["steps"]:
            shown.setdefault(step["course_id"], step["slug"])
    return {
        "page": page,
        "paths": paths,
        "topics": catalog_topic_rows(user),
        "courses": list(shown.items()),
    }


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


def learner_tags(user, courses) -> dict[int, str]:
    """The user's catalog tag of each of `courses` ((id, slug) pairs) that has one, by course
    id: from the `registries.learner_tags` providers when any is registered (the first to
    answer for a course wins), else from `learner_states`. One query per provider."""
    if not courses:
        return {}
    if not registries.learner_tags:
        refs = [SimpleNamespace(pk=pk, slug=slug) for pk, slug in courses]
        return {pk: state.tag for pk, state in learner_states(user, refs).items() if state.tag}
    ids = [pk for pk, _slug in courses]
    tags: dict[int, str] = {}
    for _name, provider in registries.learner_tags.items():
        for course_id, tag in provider(user, ids).items():
            tags.setdefault(course_id, tag)
    return tags


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
