"""Extension points of `courses` (see academy/registry.py), filled from `AppConfig.ready()`.

`publish_checks`: what must hold before a draft is published. Each check is called as
`check(course=course, content=content)`, with `content` the draft as
`courses.services.content.draft_content` gives it, and returns a list of reasons to refuse
(empty: no objection): plain strings, or `courses.services.Problem(path, message)` when the
reason points at a part of the content (the studio then links the message to that field).
Messages are plain, translatable words for a trainer. `course_publish` runs every registered check, in order, and
refuses with all of their reasons; the studio's publish page lists them beforehand. The
built-in content check is registered first, by `CoursesConfig.ready()`; a downstream app (a
federal training feed, say) adds its own from its `ready()`.

`catalog_sections`: sections that downstream apps add to the top of the catalog (live sessions:
the next sessions open to the learner). A section is a template rendered with `section_data`
only (the result of `data(user)`, in a bounded number of queries) on every request; when the
section gives `key(section_data)`, a tuple of every value the template shows, its markup is
kept in the process's fragment cache under that key and the language (courses.fragments).

`learner_states`: where the signed-in learner stands in each course (tag and main button),
described below.

`version_published`: called as `hook(course=course, version=version, actor=actor)` by
`course_publish` right after it froze a new version, inside its transaction (a hook that
raises refuses the publication). A downstream app freezes with the version what it keeps per
course (the federal training feed freezes the owner's EHRI coding).

`bundle_sections`: sections of the course bundle's manifest that downstream apps write at
export and read at import, each under its own key, described below.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from academy.registry import Registry

publish_checks = Registry("publish checks")


@dataclass(frozen=True)
class CourseAction:
    """The main button of a course for one learner ("Enroll", "Continue", "Review")."""

    label: str
    url: str
    post: bool = False  # rendered as a form with CSRF protection (a change of state)


@dataclass(frozen=True)
class LearnerCourseState:
    """Where a learner stands in one course, as the catalog and the course page show it."""

    tag: str = ""  # catalog card tag ("Enrolled", "In progress", "Completed"); "" for none
    action: CourseAction | None = None


learner_states: Registry[Callable[[Any, Sequence[Any]], dict[int, LearnerCourseState]]] = Registry(
    "learner course states"
)
"""`learner_states`: called as `provider(user, courses)` with the courses one page shows, each
provider returns `{course_id: LearnerCourseState}` for those it knows about, in a number of
queries that does not depend on how many courses there are. `learning` registers the learner's
enrollments; with nothing registered the pages show no tag and no button."""


learner_tags: Registry[Callable[[Any, Sequence[int]], dict[int, str]]] = Registry(
    "learner course tags"
)
"""`learner_tags`: called as `provider(user, course_ids)`, each provider returns the catalog tag
of those of the courses it knows about, `{course_id: tag}` (the same words as
`LearnerCourseState.tag`), in one query of a fixed shape (academy.prepared). The catalog asks
these when any is registered, else it takes the tags of `learner_states` (which also builds
each course's button: a URL per course)."""


@dataclass(frozen=True)
class CatalogSection:
    """A section of the catalog offered by a downstream app."""

    template: str
    data: Callable  # data(user) -> given to the template as `section_data`
    key: Callable | None = None  # key(section_data) -> every value the markup shows


catalog_sections: Registry[CatalogSection] = Registry("catalog sections")


version_published: Registry[Callable[..., None]] = Registry("version published hooks")


@dataclass(frozen=True)
class BundleSection:
    """A section of a course bundle's manifest (`manifest[key]`) owned by a downstream app.

    - `export(course=, version=)` -> a dict of plain YAML values (str, int, bool, lists,
      dicts), or None for no section; `version` is the exported version (None: the draft).
      The export checks it with `problems` before writing, so a bundle never carries a
      section its own import would refuse.
    - `problems(data)` -> the plain messages of what is wrong with the section as read from a
      manifest (empty: importable). Called before anything is written.
    - `apply(course=, data=, actor=)`: writes the section for the imported course, inside the
      import's transaction, after the draft was replaced and before an asked-for publish.
    Export then import gives back the same section (the round trip is exact).
    """

    export: Callable[..., dict | None]
    problems: Callable[[Any], list[str]]
    apply: Callable[..., None]


bundle_sections: Registry[BundleSection] = Registry("bundle sections")
