"""Publishing, version history, restore and archiving."""

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from agencies.services import audited

from ..catalog_version import catalog_changed
from ..models import Course, CourseVersion, Status
from ..registries import publish_checks, version_published
from ._common import lock_course, require, require_editor, touch
from .content import (
    Problem,
    content_hash,
    content_problems,
    draft_content,
    draft_replace,
    render_snapshot,
    snapshot_content,
    topics_for,
)


def content_publish_check(*, course: Course, content: dict) -> list[Problem]:
    """The built-in publish check (registered first, as "content"): the draft's content is
    whole (see `content_problems`)."""
    return content_problems(content)


def _publish_problems(course: Course, content: dict) -> list[Problem]:
    """What every registered publish check (courses.registries.publish_checks) objects to.

    A check may answer `Problem`s (a path into the content and a plain message) or plain
    strings, which become problems without a path.
    """
    return [
        problem if isinstance(problem, Problem) else Problem("", str(problem))
        for _key, check in publish_checks.items()
        for problem in check(course=course, content=content)
    ]


def course_publish_problems(course: Course) -> list[Problem]:
    """Every reason the draft cannot be published (empty: publishable), each with its path
    into the content (for a link to the field to fix) and a plain message."""
    return _publish_problems(course, draft_content(course))


class PublishRefused(ValidationError):
    """`course_publish`'s refusal: the plain messages, and the `problems` with their paths."""

    def __init__(self, problems: list[Problem]):
        super().__init__([p.message for p in problems], code="unpublishable")
        self.problems = problems


def course_publish(*, actor, course: Course, ip=None) -> CourseVersion:
    """Validate the draft and freeze it as the next numbered version that learners see.

    Runs every registered publish check (courses.registries.publish_checks: first the content
    check, then those of downstream apps) and refuses with a ValidationError listing every
    problem they found (a `PublishRefused`, whose `problems` keep each path; no quiz that cannot be passed, no question without a correct answer, no
    pool smaller than its draw, no empty module, no lesson without text, and whatever a
    downstream check requires). `actor` None is the system (seeders, management commands).
    """
    with audited(
        actor=actor,
        agency=course.owner,
        action="course.publish",
        target=course.slug,
        ip=ip,
        detail={"course": course.pk},
    ):
        require_editor(actor, course)
        course = lock_course(course)
        require(course.status != Status.ARCHIVED, _("Unarchive the course before publishing it."))
        content = draft_content(course)
        problems = _publish_problems(course, content)
        if problems:
            raise PublishRefused(problems)
        number = (course.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = CourseVersion.objects.create(
            course=course,
            number=number,
            title=content["title"],
            summary=content["summary"],
            level=content["level"],
            language=content["language"],
            estimated_minutes=content["estimated_minutes"],
            snapshot=render_snapshot(content),
            content_hash=content_hash(content),
            published_by=actor if actor is not None and actor.is_authenticated else None,
        )
        version.topics.set(topics_for(content["topics"]))
        course.current_version, course.status = version, Status.PUBLISHED
        course.save(update_fields=["current_version", "status"])
        catalog_changed()
        for _key, hook in version_published.items():
            hook(course=course, version=version, actor=actor)
    return version


def _index(snapshot: dict):
    lessons, questions, modules = {}, {}, {}
    quizzes = [m.get("quiz") for m in snapshot["modules"]] + [snapshot.get("quiz")]
    for m in snapshot["modules"]:
        modules[m["key"]] = {"title": m["title"], "lessons": [le["key"] for le in m["lessons"]]}
        for le in m["lessons"]:
            lessons[le["key"]] = le
    for quiz in filter(None, quizzes):
        for q in quiz["questions"]:
            questions[q["key"]] = q
    return modules, lessons, questions


LESSON_COMPARED = ["title", "body", "estimated_minutes", "video_url", "transcript", "objectives"]
QUESTION_COMPARED = [
    "type",
    "prompt",
    "explanation",
    "choices",
    "partial_credit",
    "objectives",
]


def _compare(old: dict, new: dict, fields, title):
    added = [{"key": k, "title": title(new[k])} for k in new if k not in old]
    removed = [{"key": k, "title": title(old[k])} for k in old if k not in new]
    changed = [
        {
            "key": k,
            "title": title(new[k]),
            "fields": [f for f in fields if old[k].get(f) != new[k].get(f)],
        }
        for k in new
        if k in old and any(old[k].get(f) != new[k].get(f) for f in fields)
    ]
    return {"added": added, "removed": removed, "changed": changed}


def course_version_diff(v1: CourseVersion, v2: CourseVersion) -> dict:
    """What changed from v1 to v2, by stable key: lessons and questions added, removed, changed.

    Also lists changed course fields and modules whose lesson order or title changed.
    """
    m1, l1, q1 = _index(v1.snapshot)
    m2, l2, q2 = _index(v2.snapshot)
    course_fields = [
        "title",
        "summary",
        "audience",
        "level",
        "language",
        "estimated_minutes",
        "topics",
        "outcomes",
        "validity_months",
    ]
    return {
        "from": v1.number,
        "to": v2.number,
        "course": [f for f in course_fields if v1.snapshot.get(f) != v2.snapshot.get(f)],
        "modules": _compare(m1, m2, ["title", "lessons"], lambda m: m["title"]),
        "lessons": _compare(l1, l2, LESSON_COMPARED, lambda le: le["title"]),
        "questions": _compare(q1, q2, QUESTION_COMPARED, lambda q: q["prompt"][:80]),
    }


def course_restore_version(*, actor, course: Course, version: CourseVersion, ip=None) -> Course:
    """Copy an old version back into the draft (the published version is untouched)."""
    with audited(
        actor=actor,
        agency=course.owner,
        action="course.restore",
        target=course.slug,
        ip=ip,
        detail={"version": version.number},
    ):
        require_editor(actor, course)
        require(version.course_id == course.pk, _("This version belongs to another course."))
        course = lock_course(course)
        draft_replace(course, snapshot_content(version.snapshot))
        course.draft_revision += 1
        course.save(update_fields=["draft_revision"])
        touch(course)
    return course


def course_archive(*, actor, course: Course, ip=None) -> Course:
    """Hide the course from the catalog; versions, enrollments and records stay."""
    with audited(
        actor=actor, agency=course.owner, action="course.archive", target=course.slug, ip=ip
    ):
        require_editor(actor, course)
        course = lock_course(course)
        require(
            course.status == Status.PUBLISHED,
            _("Only a published course can be archived; a draft is not in the catalog."),
        )
        course.status = Status.ARCHIVED
        course.save(update_fields=["status"])
        catalog_changed()
    return course


def course_unarchive(*, actor, course: Course, ip=None) -> Course:
    """Bring an archived course back: published if it has a version, else a draft."""
    with audited(
        actor=actor, agency=course.owner, action="course.unarchive", target=course.slug, ip=ip
    ):
        require_editor(actor, course)
        course = lock_course(course)
        require(course.status == Status.ARCHIVED, _("The course is not archived."))
        course.status = Status.PUBLISHED if course.current_version_id else Status.DRAFT
        course.save(update_fields=["status"])
        catalog_changed()
    return course
