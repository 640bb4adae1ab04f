"""Learning paths: an ordered list of courses with their own title and summary."""

from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.services import audited

from ..access import can_author_for
from ..catalog_version import catalog_changed
from ..models import Course, Language, LearningPath, LearningPathCourse
from ._common import check_key, require


def learning_path_save(
    *,
    actor,
    agency,
    slug: str,
    title: str,
    course_slugs: list[str],
    summary: str = "",
    language: str = Language.EN,
    publish: bool = True,
    ip=None,
) -> LearningPath:
    """Create or replace the path `slug` owned by `agency` (None: platform; actor None: system).

    Every course must exist and belong to the same owner or be a platform course.
    """
    with audited(
        actor=actor,
        agency=agency,
        action="path.save",
        target=slug,
        ip=ip,
        detail={"courses": list(course_slugs)},
    ):
        require(
            actor is None or can_author_for(actor_for(actor), agency),
            _("You cannot edit learning paths here."),
        )
        check_key(slug, what=_("learning path"))
        require(title.strip(), _("Give the learning path a title."))
        require(language in Language.values, _("Choose a valid language."))
        require(
            len(set(course_slugs)) == len(course_slugs), _("A course appears twice in the path.")
        )
        courses = {c.slug: c for c in Course.objects.filter(slug__in=course_slugs)}
        allowed = {
            s
            for s, c in courses.items()
            if c.owner_id is None or (agency is not None and c.owner_id == agency.pk)
        }
        missing = [s for s in course_slugs if s not in allowed]
        require(not missing, _("Unknown courses: %s") % ", ".join(missing))
        path = LearningPath.objects.filter(slug=slug).first()
        if path is None:
            path = LearningPath.objects.create(owner=agency, slug=slug, title=title.strip())
        else:
            require(
                path.owner_id == (agency.pk if agency else None),
                _("A learning path with this slug already exists."),
            )
        path.title, path.summary, path.language = title.strip(), summary, language
        path.is_published = publish
        path.save(update_fields=["title", "summary", "language", "is_published"])
        path.steps.all().delete()
        LearningPathCourse.objects.bulk_create(
            LearningPathCourse(path=path, course=courses[s], position=i)
            for i, s in enumerate(course_slugs)
        )
        catalog_changed()
    return path
