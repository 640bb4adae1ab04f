"""Extension points of `courses` (see academy/registry.py), filled from `AppConfig.ready()`.

`publish_checks`: what must hold before a draft is published. Each check is called as
`check(course=course, content=content)`, with `content` the draft as
`courses.services.content.draft_content` gives it, and returns a list of readable reasons to
refuse (empty: no objection). `course_publish` runs every registered check, in order, and
refuses with all of their reasons; the studio's publish page lists them beforehand. The
built-in content check is registered first, by `CoursesConfig.ready()`; a downstream app (a
federal training feed, say) adds its own from its `ready()`.
"""

from academy.registry import Registry

publish_checks = Registry("publish checks")
