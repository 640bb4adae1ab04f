"""Everything that changes course content. Import from here: `from courses import services`."""

from .authoring import (
    attachment_add,
    attachment_delete,
    course_create,
    course_update,
    lesson_create,
    lesson_delete,
    lesson_move,
    lesson_update,
    module_create,
    module_delete,
    module_move,
    module_rename,
    question_create,
    question_delete,
    question_update,
    quiz_create,
    quiz_delete,
    quiz_update,
)
from .content import Problem, content_problems, draft_content
from .paths import learning_path_save
from .publishing import (
    course_archive,
    course_publish,
    course_publish_problems,
    course_restore_version,
    course_unarchive,
    course_version_diff,
)

__all__ = [
    "Problem", "attachment_add", "attachment_delete", "content_problems", "course_archive",
    "course_create", "course_publish", "course_publish_problems", "course_restore_version",
    "course_unarchive", "course_update", "course_version_diff", "draft_content",
    "learning_path_save", "lesson_create", "lesson_delete", "lesson_move", "lesson_update",
    "module_create", "module_delete", "module_move", "module_rename", "question_create",
    "question_delete", "question_update", "quiz_create", "quiz_delete", "quiz_update",
]
