"""Publish problems as the studio shows them: each plain message with a link to the page (and
the field) where the trainer fixes it.

A problem's `path` points into the draft's content dict by position ("modules[1].lessons[0]
.body", "quiz.questions[2].choices"); the draft lists modules, lessons, quizzes and questions in
their model order, so the same order of ids turns a position back into the object to edit.
"""

import re
from dataclasses import dataclass

from django.urls import reverse

from ..models import Lesson, Module, Question, Quiz

_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")

COURSE_FIELDS = {"slug", "title", "level", "language", "topics"}
LESSON_FIELDS = {"title", "body", "estimated_minutes", "video_url", "transcript", "objectives"}
QUIZ_FIELDS = {
    "title",
    "pass_mark",
    "max_attempts",
    "questions_per_attempt",
    "show_answers",
    "time_limit_minutes",
}


@dataclass(frozen=True)
class ShownProblem:
    message: str
    path: str
    url: str | None


def _steps(path: str) -> list[tuple[str, int | None]]:
    return [
        (m.group(1), None if m.group(2) is None else int(m.group(2))) for m in _STEP.finditer(path)
    ]


def _ids(course) -> dict:
    """The draft's ids in content order, in four queries."""
    modules = list(Module.objects.filter(course=course).values_list("pk", flat=True))
    lessons: dict[int, list[int]] = {}
    for module_id, pk in Lesson.objects.filter(course=course).values_list("module_id", "pk"):
        lessons.setdefault(module_id, []).append(pk)
    quizzes = dict(Quiz.objects.filter(course=course).values_list("module_id", "pk"))
    questions: dict[int, list[int]] = {}
    for quiz_id, pk in Question.objects.filter(course=course).values_list("quiz_id", "pk"):
        questions.setdefault(quiz_id, []).append(pk)
    return {"modules": modules, "lessons": lessons, "quizzes": quizzes, "questions": questions}


def _at(items, index):
    return items[index] if index is not None and 0 <= index < len(items) else None


def _quiz_url(course, quiz_id, rest, ids) -> str | None:
    if not rest:
        return reverse("studio:quiz_edit", args=[course.pk, quiz_id])
    (name, index), *tail = rest
    if name == "questions" and index is None:
        return reverse("studio:question_add", args=[course.pk, quiz_id])
    if name == "questions":
        question_id = _at(ids["questions"].get(quiz_id, []), index)
        if question_id is None:
            return reverse("studio:quiz_edit", args=[course.pk, quiz_id])
        url = reverse("studio:question_edit", args=[course.pk, question_id])
        field = tail[0] if tail else None
        if field is None:
            return url
        if field[0] == "choices":
            choice = (field[1] or 0) + 1
            return f"{url}#id_choice_{choice}_text"
        if field[0] == "objectives":
            return f"{url}#id_objectives-hint"  # the fieldset's hint: there even with no boxes
        return f"{url}#id_{field[0]}" if field[0] in ("prompt", "type", "partial_credit") else url
    url = reverse("studio:quiz_edit", args=[course.pk, quiz_id])
    return f"{url}#id_{name}" if name in QUIZ_FIELDS else url


def _url(course, path: str, ids: dict) -> str | None:
    steps = _steps(path)
    if not steps:
        return None
    (name, index), *rest = steps
    if name in COURSE_FIELDS:
        return f"{reverse('studio:course_edit', args=[course.pk])}#id_{name}"
    outline = reverse("studio:outline", args=[course.pk])
    if name == "quiz":
        quiz_id = ids["quizzes"].get(None)
        return _quiz_url(course, quiz_id, rest, ids) if quiz_id else outline
    if name != "modules":
        return None
    module_id = _at(ids["modules"], index)
    if module_id is None:
        return outline
    if not rest:
        return f"{outline}#module-{module_id}"
    (part, part_index), *tail = rest
    if part == "title":
        return reverse("studio:module_rename", args=[course.pk, module_id])
    if part == "quiz" and ids["quizzes"].get(module_id):
        return _quiz_url(course, ids["quizzes"][module_id], tail, ids)
    if part == "lessons":
        lesson_id = _at(ids["lessons"].get(module_id, []), part_index)
        if lesson_id is not None:
            url = reverse("studio:lesson_edit", args=[course.pk, lesson_id])
            field = tail[0][0] if tail else None
            return f"{url}#id_{field}" if field in LESSON_FIELDS else url
    return f"{outline}#module-{module_id}"


def problems_shown(course, problems) -> list[ShownProblem]:
    """Each problem's plain message with the URL of the page (and field) that fixes it, or None
    when it points at nothing the studio edits (a downstream check's reason, say)."""
    if not problems:
        return []
    ids = _ids(course) if any(p.path for p in problems) else {}
    return [
        ShownProblem(p.message, p.path, _url(course, p.path, ids) if p.path else None)
        for p in problems
    ]
