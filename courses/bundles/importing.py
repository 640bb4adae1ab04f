"""Writing a valid bundle: a course (new, or a new draft of the same slug) or a learning path."""

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.services import audited

from ..access import can_author_for, can_edit_course
from ..conf import limit
from ..models import Course, Language, Visibility
from ..registries import bundle_sections
from ..services._common import touch
from ..services.content import draft_replace
from ..services.paths import learning_path_save
from ..services.publishing import course_publish
from .manifest import _Checker, load_yaml, parse_course_bundle
from .source import MANIFEST, PATH_FORMAT, BundleError, BundleSource


def bundle_import(file_or_path, *, actor, agency=None, publish: bool = False, ip=None) -> Course:
    """Import a bundle as a new course, or as the new draft of the course with the same slug.

    Validates everything first; on any problem raises BundleError listing all of them and the
    database is unchanged. `agency` None imports a platform course. `actor` None is the system
    (management commands, seeders); otherwise the actor must be allowed to author for `agency`
    and, for an existing course, to edit it. `publish` also publishes the imported draft.
    """
    source = BundleSource(file_or_path)
    content, problems = parse_course_bundle(source)
    slug = (content or {}).get("slug") or ""
    with audited(
        actor=actor,
        agency=agency,
        action="course.import",
        target=slug,
        ip=ip,
        detail={"publish": publish},
    ):
        if problems:
            raise BundleError(problems)
        who = actor_for(actor) if actor is not None else None
        if who is not None and not can_author_for(who, agency):
            raise BundleError([_("You cannot import courses here.")])
        course = Course.objects.select_for_update().filter(slug=slug).first()
        if course is not None:
            same_owner = course.owner_id == (agency.pk if agency else None)
            if not same_owner or (who is not None and not can_edit_course(who, course)):
                raise BundleError(
                    [f"{MANIFEST}: slug: " + _("a course with the slug “%s” already exists") % slug]
                )
        else:
            course = Course.objects.create(
                owner=agency,
                slug=slug,
                title=content["title"],
                visibility=Visibility.ALL if agency is None else Visibility.OWNER,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
        sections = content.pop("sections", {})
        draft_replace(course, content)
        course.draft_revision += 1
        course.save(update_fields=["draft_revision"])
        touch(course)
        for key, data in sections.items():
            bundle_sections[key].apply(course=course, data=data, actor=actor)
        if publish:
            course_publish(actor=actor, course=course, ip=ip)
            course.refresh_from_db()
    return course


PATH_KEYS = {"format", "slug", "title", "summary", "language", "courses"}


def path_import(path, *, actor=None, agency=None, publish: bool = True):
    """Import content/paths/<slug>.yaml; raises BundleError listing every problem."""
    filename = Path(path).name
    raw = Path(path).read_bytes()
    if len(raw) > limit("ACADEMY_BUNDLE_MAX_FILE_BYTES"):
        raise BundleError([f"{filename}: " + _("file too large")])
    data, lines, problems = load_yaml(raw, filename)
    c = _Checker(lines, filename)
    c.problems.extend(problems)
    data = c.mapping(data, "", PATH_KEYS, required=("format", "slug", "title", "courses"))
    if data.get("format") not in (None, PATH_FORMAT):
        c.add("format", _("expected %s") % PATH_FORMAT)
    courses = c.strings(data, "courses", "")
    known = set(Course.objects.filter(slug__in=courses).values_list("slug", flat=True))
    for index, slug in enumerate(courses):
        if slug not in known:
            c.add(f"courses[{index}]", _("no course with the slug “%s”") % slug)
    if c.problems:
        raise BundleError(c.problems)
    with transaction.atomic():
        return learning_path_save(
            actor=actor,
            agency=agency,
            slug=c.text(data, "slug", ""),
            title=c.text(data, "title", ""),
            summary=c.text(data, "summary", ""),
            language=c.text(data, "language", "", Language.EN),
            course_slugs=courses,
            publish=publish,
        )
