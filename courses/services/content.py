"""The course content as one plain dict: read from the draft, written back, checked, rendered.

The same dict shape is what a bundle parses to, what a version's snapshot holds (plus rendered
HTML), and what a restore writes back; so publish, import, export and restore share one path.

    {slug, title, summary, audience, level, language, estimated_minutes, topics: [slug],
     outcomes: [str], quiz: QUIZ | None (course-end quiz),
     modules: [{key, title, quiz: QUIZ | None,
                live_sessions: [{key, title, description}] (only when the module has some),
                practice: [TASK] (only when set; see courses/services/practice.py),
                lessons: [{key, title, body, estimated_minutes, video_url, transcript, objectives: [str],
                           attachments: [{name, content_type, size, sha256, file}]}]}]}
    QUIZ = {key, title, pass_mark, max_attempts, questions_per_attempt, shuffle_questions,
            shuffle_choices, show_answers, time_limit_minutes,
            questions: [{key, type, prompt, explanation,
                         partial_credit: true (only when set), objectives: [str] (only when set),
                         choices: [{key, text, correct, feedback}]}]}

The optional question keys, and a module's `live_sessions`, are left out when unset, so the content hashes of courses that do
not use them stay what they were.
"""

import copy
import enum
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..catalog_version import catalog_changed
from ..markdown import render_markdown, video_embed_html
from ..models import (
    Attachment,
    Choice,
    Course,
    CourseVersion,
    Language,
    Lesson,
    Level,
    LiveStep,
    Module,
    Question,
    QuestionType,
    Quiz,
    ShowAnswers,
    Status,
    Topic,
    attachment_path,
)
from ._common import is_one_line, is_valid_key
from .practice import (
    practice_by_module,
    practice_create,
    practice_problems,
    practice_render,
    practice_strip,
)

COURSE_FIELDS = [
    "slug",
    "title",
    "summary",
    "audience",
    "level",
    "language",
    "estimated_minutes",
    "outcomes",
    "complete_lessons_at_end",
    "validity_months",
]
QUIZ_FIELDS = [
    "key",
    "title",
    "pass_mark",
    "max_attempts",
    "questions_per_attempt",
    "shuffle_questions",
    "shuffle_choices",
    "show_answers",
    "time_limit_minutes",
]


# --- reading the draft ---------------------------------------------------------------------


def _plain(value):
    """TextChoices members as plain strings, so the dict dumps to JSON and YAML alike."""
    return value.value if isinstance(value, enum.Enum) else value


def question_options(partial_credit: bool, objectives) -> dict:
    """The optional question keys, present only when set (see the module docstring)."""
    return {
        **({"partial_credit": True} if partial_credit else {}),
        **({"objectives": list(objectives)} if objectives else {}),
    }


def _quiz_dict(quiz: Quiz) -> dict:
    return {
        **{f: _plain(getattr(quiz, f)) for f in QUIZ_FIELDS},
        "questions": [
            {
                "key": q.key,
                "type": _plain(q.type),
                "prompt": q.prompt,
                "explanation": q.explanation,
                **question_options(q.partial_credit, q.objectives),
                "choices": [
                    {"key": c.key, "text": c.text, "correct": c.is_correct, "feedback": c.feedback}
                    for c in q.choices.all()
                ],
            }
            for q in quiz.questions.all()
        ],
    }


def live_steps_field(steps) -> dict:
    """A module's optional `live_sessions` key, present only when it has live-session steps."""
    return {"live_sessions": list(steps)} if steps else {}


def draft_content(course: Course) -> dict:
    """The draft as a content dict, in a fixed number of queries."""
    modules = list(course.modules.all())
    live_by_module: dict[int, list] = {}
    for step in LiveStep.objects.filter(course=course):
        live_by_module.setdefault(step.module_id, []).append(
            {"key": step.key, "title": step.title, "description": step.description}
        )
    lessons = Lesson.objects.filter(course=course).prefetch_related("attachments")
    quizzes = Quiz.objects.filter(course=course).prefetch_related(
        Prefetch("questions", Question.objects.prefetch_related("choices"))
    )
    lessons_by_module: dict[int, list] = {}
    for lesson in lessons:
        lessons_by_module.setdefault(lesson.module_id, []).append(lesson)
    quiz_by_module = {q.module_id: q for q in quizzes}
    final = quiz_by_module.get(None)
    practice = practice_by_module(course)
    return {
        **{f: _plain(getattr(course, f)) for f in COURSE_FIELDS},
        "topics": sorted(course.topics.values_list("slug", flat=True)),
        "modules": [
            {
                "key": m.key,
                "title": m.title,
                "lessons": [
                    {
                        "key": le.key,
                        "title": le.title,
                        "body": le.body,
                        "estimated_minutes": le.estimated_minutes,
                        "video_url": le.video_url,
                        "transcript": le.transcript,
                        "objectives": list(le.objectives or []),
                        "attachments": [
                            {
                                "name": a.name,
                                "content_type": a.content_type,
                                "size": a.size,
                                "sha256": a.sha256,
                                "file": a.file.name,
                            }
                            for a in le.attachments.all()
                        ],
                    }
                    for le in lessons_by_module.get(m.pk, [])
                ],
                **({"practice": practice[m.pk]} if m.pk in practice else {}),
                "quiz": _quiz_dict(quiz_by_module[m.pk]) if m.pk in quiz_by_module else None,
                **live_steps_field(live_by_module.get(m.pk)),
            }
            for m in modules
        ],
        "quiz": _quiz_dict(final) if final else None,
    }


# --- stored files --------------------------------------------------------------------------


def _snapshot_files(snapshot: dict) -> set[str]:
    return {
        a["file"]
        for m in snapshot.get("modules") or []
        for le in m.get("lessons") or []
        for a in le.get("attachments") or []
        if a.get("file")
    }


def attachment_files_release(course_id: int, names) -> None:
    """Once the current transaction commits, delete each stored file in `names` that no
    attachment of any draft and no version of the course still references (a version keeps
    its files for as long as it exists; a rolled-back deletion deletes nothing)."""
    names = {n for n in names if n}
    if not names:
        return

    def release():
        kept = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        snapshots = CourseVersion.objects.filter(course_id=course_id).values_list(
            "snapshot", flat=True
        )
        for snapshot in snapshots.iterator(chunk_size=20):
            kept |= _snapshot_files(snapshot) & names
        for name in sorted(names - kept):
            default_storage.delete(name)

    transaction.on_commit(release)


def course_file_names(course_id: int, **lookup) -> list[str]:
    """The stored names of the draft attachments under `lookup` (a lesson, a module) of a course."""
    return list(
        Attachment.objects.filter(lesson__course_id=course_id, **lookup).values_list(
            "file", flat=True
        )
    )


# --- writing the draft ---------------------------------------------------------------------


def topics_for(slugs) -> list[Topic]:
    wanted = [s for s in dict.fromkeys(slugs) if s]
    existing = {t.slug: t for t in Topic.objects.filter(slug__in=wanted)}
    missing = [
        Topic(slug=s, name=s.replace("-", " ").capitalize()) for s in wanted if s not in existing
    ]
    if missing:
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.slug: t for t in Topic.objects.filter(slug__in=wanted)}
    return [existing[s] for s in wanted]


def _create_quiz(course, module, data) -> None:
    quiz = Quiz.objects.create(
        course=course,
        module=module,
        **{f: data.get(f) for f in QUIZ_FIELDS if data.get(f) is not None},
    )
    questions = Question.objects.bulk_create(
        Question(
            course=course,
            quiz=quiz,
            key=q["key"],
            type=q["type"],
            prompt=q["prompt"],
            explanation=q.get("explanation") or "",
            partial_credit=bool(q.get("partial_credit")),
            objectives=list(q.get("objectives") or []),
            position=i,
        )
        for i, q in enumerate(data["questions"])
    )
    Choice.objects.bulk_create(
        Choice(
            question=question,
            key=c.get("key") or f"c{j + 1}",
            text=c["text"],
            is_correct=bool(c["correct"]),
            feedback=c.get("feedback") or "",
            position=j,
        )
        for question, q in zip(questions, data["questions"], strict=True)
        for j, c in enumerate(q["choices"])
    )


def draft_replace(course: Course, content: dict) -> None:
    """Make the draft exactly `content`. Call inside a transaction, after validating.

    Attachments carry either `file` (a name already in storage: restore) or `data` (bytes from
    a bundle, saved to storage here).
    """
    for f in COURSE_FIELDS:
        setattr(course, f, content.get(f) if f == "validity_months" else content[f])
    course.save(update_fields=COURSE_FIELDS)
    if course.status == Status.PUBLISHED:
        catalog_changed()  # its slug, visibility or sharing may have changed
    course.topics.set(topics_for(content.get("topics") or []))
    replaced_files = course_file_names(course.pk)
    Quiz.objects.filter(course=course).delete()
    course.modules.all().delete()
    for m_index, m in enumerate(content["modules"]):
        module = Module.objects.create(
            course=course, key=m["key"], title=m["title"], position=m_index
        )
        for l_index, le in enumerate(m["lessons"]):
            lesson = Lesson.objects.create(
                course=course,
                module=module,
                key=le["key"],
                title=le["title"],
                body=le.get("body") or "",
                estimated_minutes=le.get("estimated_minutes") or 0,
                video_url=le.get("video_url") or "",
                transcript=le.get("transcript") or "",
                objectives=list(le.get("objectives") or []),
                position=l_index,
            )
            for a_index, a in enumerate(le.get("attachments") or []):
                attachment = Attachment(
                    lesson=lesson,
                    name=a["name"],
                    content_type=a["content_type"],
                    size=a["size"],
                    sha256=a["sha256"],
                    position=a_index,
                )
                if a.get("data") is not None:
                    attachment.file.name = default_storage.save(
                        attachment_path(attachment, a["name"]), ContentFile(a["data"])
                    )
                else:
                    attachment.file.name = a["file"]
                attachment.save()
        LiveStep.objects.bulk_create(
            LiveStep(
                course=course,
                module=module,
                key=step["key"],
                title=step["title"],
                description=step.get("description") or "",
                position=s_index,
            )
            for s_index, step in enumerate(m.get("live_sessions") or [])
        )
        if m.get("practice"):
            practice_create(course, module, m["practice"])
        if m.get("quiz"):
            _create_quiz(course, module, m["quiz"])
    if content.get("quiz"):
        _create_quiz(course, None, content["quiz"])
    attachment_files_release(course.pk, replaced_files)


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something that stops publication: `path` is a field path, `message` says what is wrong."""

    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


CHOICE_RULES = {
    # type: (min choices, max choices or None, min correct, max correct or None)
    QuestionType.SINGLE: (2, None, 1, 1),
    QuestionType.MULTIPLE: (2, None, 1, None),
    QuestionType.TRUE_FALSE: (2, 2, 1, 1),
}


def _named(value, fallback) -> str:
    """A short name for a thing in a message: its title (or prompt), else `fallback`."""
    text = " ".join(str(value or "").split())
    return (text[:60] + "…" if len(text) > 60 else text) or str(fallback)


def _question_option_problems(q: dict, q_path: str, q_name: dict, objectives: set) -> list:
    out = []
    if q.get("partial_credit") and q.get("type") != QuestionType.MULTIPLE:
        out.append(
            Problem(
                f"{q_path}.partial_credit",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” gives partial credit, "
                    "which only a multiple-choice question can do."
                )
                % q_name,
            )
        )
    named = q.get("objectives") or []
    if not isinstance(named, list) or not all(isinstance(o, str) for o in named):
        named = [None]
    for o_index, objective in enumerate(named):
        if objective not in objectives:
            out.append(
                Problem(
                    f"{q_path}.objectives[{o_index}]",
                    _(
                        "The question “%(question)s” in the quiz “%(quiz)s” tests the objective "
                        "“%(objective)s”, which no lesson of the course states."
                    )
                    % {**q_name, "objective": objective or ""},
                )
            )
    return out


def course_objectives(content: dict) -> set[str]:
    """Every objective the course's lessons state (what questions may name)."""
    return {
        o
        for m in content.get("modules") or []
        for le in m.get("lessons") or []
        for o in (le.get("objectives") if isinstance(le.get("objectives"), list) else [])
        if isinstance(o, str)
    }


def _quiz_problems(
    quiz: dict, path: str, question_keys: set, objectives: set = frozenset()
) -> list[Problem]:
    out = []
    add = lambda p, m: out.append(Problem(p, m))  # noqa: E731
    name = {"quiz": _named(quiz.get("title"), quiz.get("key") or _("untitled"))}
    if not is_valid_key(quiz.get("key")):
        add(
            f"{path}.key",
            _(
                "The quiz “%(quiz)s” has a missing or invalid key "
                "(use lower-case letters, digits and dashes)."
            )
            % name,
        )
    if not str(quiz.get("title") or "").strip():
        add(f"{path}.title", _("A quiz has no title. Give it one."))
    elif not is_one_line(str(quiz["title"]).strip()):
        add(
            f"{path}.title",
            _("The title of the quiz “%(quiz)s” must fit on one line: remove the line breaks.")
            % name,
        )
    pass_mark = quiz.get("pass_mark")
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        add(
            f"{path}.pass_mark",
            _("The pass mark of the quiz “%(quiz)s” must be a whole number from 1 to 100.") % name,
        )
    if not isinstance(quiz.get("max_attempts"), int) or quiz["max_attempts"] < 0:
        add(
            f"{path}.max_attempts",
            _("The attempts allowed for the quiz “%(quiz)s” must be 0 (unlimited) or more.") % name,
        )
    draw = quiz.get("questions_per_attempt")
    if not isinstance(draw, int) or draw < 1:
        add(
            f"{path}.questions_per_attempt",
            _("The quiz “%(quiz)s” must ask at least one question per attempt.") % name,
        )
    if quiz.get("show_answers") not in ShowAnswers.values:
        add(
            f"{path}.show_answers",
            _("Choose when the quiz “%(quiz)s” shows the correct answers (one of: %(values)s).")
            % {**name, "values": ", ".join(ShowAnswers.values)},
        )
    limit = quiz.get("time_limit_minutes")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        add(
            f"{path}.time_limit_minutes",
            _("The time limit of the quiz “%(quiz)s” must be at least one minute, or empty.")
            % name,
        )
    questions = quiz.get("questions") or []
    if not questions:
        add(
            f"{path}.questions",
            _("The quiz “%(quiz)s” has no questions yet, so nobody could pass it. Add questions.")
            % name,
        )
    elif isinstance(draw, int) and draw > len(questions):
        add(
            f"{path}.questions_per_attempt",
            ngettext(
                "The quiz “%(quiz)s” asks %(draw)d questions per attempt but has only "
                "%(pool)d question. Lower “Questions per attempt” to %(pool)d, or add questions.",
                "The quiz “%(quiz)s” asks %(draw)d questions per attempt but has only "
                "%(pool)d questions. Lower “Questions per attempt” to %(pool)d, or add questions.",
                len(questions),
            )
            % {**name, "draw": draw, "pool": len(questions)},
        )
    for q_index, q in enumerate(questions):
        q_path = f"{path}.questions[{q_index}]"
        q_name = {**name, "question": _named(q.get("prompt"), _("question %d") % (q_index + 1))}
        key = q.get("key")
        if not is_valid_key(key):
            add(
                f"{q_path}.key",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” has a missing or invalid key."
                )
                % q_name,
            )
        elif key in question_keys:
            add(f"{q_path}.key", _("Two questions use the key “%s”; each needs its own.") % key)
        question_keys.add(key)
        if not str(q.get("prompt") or "").strip():
            add(
                f"{q_path}.prompt",
                _("The question “%(question)s” in the quiz “%(quiz)s” has no text. Write it.")
                % q_name,
            )
        rules = CHOICE_RULES.get(q.get("type"))
        if rules is None:
            add(
                f"{q_path}.type",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” has an unknown type "
                    "“%(type)s” (use %(types)s)."
                )
                % {**q_name, "type": q.get("type"), "types": ", ".join(QuestionType.values)},
            )
            continue
        q_name["type"] = QuestionType(q["type"]).label
        out.extend(_question_option_problems(q, q_path, q_name, objectives))
        choices = q.get("choices") or []
        min_choices, max_choices, min_correct, max_correct = rules
        correct = sum(1 for c in choices if c.get("correct") is True)
        if len(choices) < min_choices or (max_choices and len(choices) > max_choices):
            add(
                f"{q_path}.choices",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” (%(type)s) needs "
                    "%(n)s choices; it has %(count)d."
                )
                % {
                    **q_name,
                    "n": min_choices if max_choices == min_choices else f"{min_choices}+",
                    "count": len(choices),
                },
            )
        if correct < min_correct:
            add(
                f"{q_path}.choices",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” has no correct answer. "
                    "Mark the right choice."
                )
                % q_name,
            )
        elif max_correct and correct > max_correct:
            add(
                f"{q_path}.choices",
                _(
                    "The question “%(question)s” in the quiz “%(quiz)s” (%(type)s) must have "
                    "exactly one correct answer; it has %(count)d."
                )
                % {**q_name, "count": correct},
            )
        choice_keys = set()
        for c_index, c in enumerate(choices):
            c_name = {**q_name, "n": c_index + 1}
            if not str(c.get("text") or "").strip():
                add(
                    f"{q_path}.choices[{c_index}].text",
                    _("Choice %(n)d of the question “%(question)s” has no text.") % c_name,
                )
            c_key = c.get("key")
            if c_key is not None:
                if not is_valid_key(c_key) or c_key in choice_keys:
                    add(
                        f"{q_path}.choices[{c_index}].key",
                        _(
                            "Choice %(n)d of the question “%(question)s” has an invalid or "
                            "duplicate key."
                        )
                        % c_name,
                    )
                choice_keys.add(c_key)
    return out


def _live_step_problems(step, path: str, keys: set) -> list[Problem]:
    """A live-session step needs a valid key of its own in the course and a one-line title."""
    if not isinstance(step, dict):
        return [Problem(path, _("A live-session step must have a key and a title."))]
    out = []
    name = {"step": _named(step.get("title"), step.get("key"))}
    if not is_valid_key(step.get("key")):
        out.append(
            Problem(
                f"{path}.key",
                _("The live-session step “%(step)s” has a missing or invalid key.") % name,
            )
        )
    elif step["key"] in keys:
        out.append(
            Problem(
                f"{path}.key",
                _("Two live-session steps use the key “%s”; each needs its own.") % step["key"],
            )
        )
    keys.add(step.get("key"))
    title = str(step.get("title") or "").strip()
    if not title:
        out.append(Problem(f"{path}.title", _("A live-session step has no title. Give it one.")))
    elif not is_one_line(title):
        out.append(
            Problem(
                f"{path}.title",
                _(
                    "The title of the live-session step “%(step)s” must fit on one line: remove "
                    "the line breaks."
                )
                % name,
            )
        )
    return out


def content_problems(content: dict) -> list[Problem]:
    """Every reason the content cannot be published (empty list: publishable).

    Each problem has a machine-readable `path` into the content ("modules[0].quiz.pass_mark")
    and a `message` in plain words that names the course part (by title) and says what to do.
    """
    out = []
    add = lambda p, m: out.append(Problem(p, m))  # noqa: E731
    if not is_valid_key(content.get("slug")):
        add(
            "slug",
            _(
                "The course's short name (slug) is missing or invalid: use lower-case letters, "
                "digits and dashes."
            ),
        )
    if not str(content.get("title") or "").strip():
        add("title", _("The course has no title. Give it one."))
    elif not is_one_line(str(content["title"]).strip()):
        add("title", _("The course title must fit on one line: remove the line breaks."))
    if content.get("level") not in Level.values:
        add("level", _("Choose the course's level (one of: %s).") % ", ".join(Level.values))
    if content.get("language") not in Language.values:
        add(
            "language",
            _("Choose the course's language (one of: %s).") % ", ".join(Language.values),
        )
    for i, topic in enumerate(content.get("topics") or []):
        if not is_valid_key(topic):
            add(
                f"topics[{i}]",
                _("The topic “%s” is invalid: topics use lower-case letters, digits and dashes.")
                % topic,
            )
    modules = content.get("modules") or []
    if not modules:
        add("modules", _("The course has no modules yet. Add a module and its lessons."))
    module_keys, lesson_keys, quiz_keys, question_keys = set(), set(), set(), set()
    live_keys = set()
    task_keys: set = set()
    stated_objectives = course_objectives(content)

    def check_quiz(quiz, path):
        if quiz.get("key") in quiz_keys:
            add(
                f"{path}.key",
                _("Two quizzes use the key “%s”; each needs its own.") % quiz.get("key"),
            )
        quiz_keys.add(quiz.get("key"))
        out.extend(_quiz_problems(quiz, path, question_keys, stated_objectives))

    for m_index, m in enumerate(modules):
        path = f"modules[{m_index}]"
        m_name = {"module": _named(m.get("title"), m.get("key") or m_index + 1)}
        if not is_valid_key(m.get("key")):
            add(f"{path}.key", _("The module “%(module)s” has a missing or invalid key.") % m_name)
        elif m["key"] in module_keys:
            add(f"{path}.key", _("Two modules use the key “%s”; each needs its own.") % m["key"])
        module_keys.add(m.get("key"))
        if not str(m.get("title") or "").strip():
            add(
                f"{path}.title",
                _("Module %(n)d has no title. Give it one.") % {"n": m_index + 1},
            )
        elif not is_one_line(str(m["title"]).strip()):
            add(
                f"{path}.title",
                _(
                    "The title of the module “%(module)s” must fit on one line: remove the line "
                    "breaks."
                )
                % m_name,
            )
        for t_index, task in enumerate(m.get("practice") or []):
            for p, message in practice_problems(task, f"{path}.practice[{t_index}]", task_keys):
                add(p, message)
        if not any(m.get(step) for step in ("lessons", "quiz", "live_sessions", "practice")):
            add(
                path,
                _("The module “%(module)s” is empty. Add a lesson or a quiz to it, or delete it.")
                % m_name,
            )
        for s_index, step in enumerate(m.get("live_sessions") or []):
            out.extend(_live_step_problems(step, f"{path}.live_sessions[{s_index}]", live_keys))
        for l_index, le in enumerate(m.get("lessons") or []):
            l_path = f"{path}.lessons[{l_index}]"
            l_name = {**m_name, "lesson": _named(le.get("title"), le.get("key"))}
            if not is_valid_key(le.get("key")):
                add(
                    f"{l_path}.key",
                    _("The lesson “%(lesson)s” has a missing or invalid key.") % l_name,
                )
            elif le["key"] in lesson_keys:
                add(
                    f"{l_path}.key",
                    _("Two lessons use the key “%s”; each needs its own.") % le["key"],
                )
            lesson_keys.add(le.get("key"))
            if not str(le.get("title") or "").strip():
                add(
                    f"{l_path}.title",
                    _("A lesson in the module “%(module)s” has no title. Give it one.") % l_name,
                )
            elif not is_one_line(str(le["title"]).strip()):
                add(
                    f"{l_path}.title",
                    _(
                        "The title of the lesson “%(lesson)s” must fit on one line: remove the "
                        "line breaks."
                    )
                    % l_name,
                )
            if not str(le.get("body") or "").strip():
                add(
                    f"{l_path}.body",
                    _("The lesson “%(lesson)s” has no text yet. Write its text.") % l_name,
                )
            objectives = le.get("objectives") or []
            if not isinstance(objectives, list) or not all(
                isinstance(o, str) and o.strip() and is_one_line(o.strip()) for o in objectives
            ):
                add(
                    f"{l_path}.objectives",
                    _(
                        "Each objective of the lesson “%(lesson)s” must be one line of text, "
                        "without empty ones."
                    )
                    % l_name,
                )
            video = le.get("video_url") or ""
            if video and urlsplit(video).scheme not in ("http", "https"):
                add(
                    f"{l_path}.video_url",
                    _("The video link of the lesson “%(lesson)s” must start with https://.")
                    % l_name,
                )
            if video and not str(le.get("transcript") or "").strip():
                add(
                    f"{l_path}.transcript",
                    _(
                        "The lesson “%(lesson)s” has a video but no transcript. Add one so "
                        "everyone can follow the video."
                    )
                    % l_name,
                )
        if m.get("quiz"):
            check_quiz(m["quiz"], f"{path}.quiz")
    if content.get("quiz"):
        check_quiz(content["quiz"], "quiz")
    return out


# --- freezing ------------------------------------------------------------------------------


def _hashable(content: dict) -> dict:
    data = copy.deepcopy(content)
    for m in data.get("modules") or []:
        for le in m.get("lessons") or []:
            le["attachments"] = [
                {"name": a["name"], "sha256": a["sha256"]} for a in le.get("attachments") or []
            ]
    return data


def content_hash(content: dict) -> str:
    """A fingerprint of the content, independent of where attachments are stored."""
    encoded = json.dumps(_hashable(content), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _render_quiz(quiz: dict) -> None:
    for q in quiz["questions"]:
        q["prompt_html"] = render_markdown(q["prompt"])
        q["explanation_html"] = render_markdown(q.get("explanation") or "")
        for j, c in enumerate(q["choices"]):
            c.setdefault("key", f"c{j + 1}")


def attachment_refs(lesson: dict) -> set[str]:
    """How lesson Markdown may name its attachments: by name, or by path in a bundle."""
    return {
        ref
        for a in lesson.get("attachments") or []
        for ref in (a["name"], f"files/{lesson['key']}/{a['name']}")
    }


def link_attachments(html: str, lesson: dict) -> str:
    """Point links and images that name a lesson attachment at the attachment's `url`.

    In lesson Markdown an attachment is referred to by its name (`![Chart](chart.png)`) or by
    its path in a bundle (`files/<lesson-key>/chart.png`); both become the URL of the view that
    serves the file (see `lesson_with_file_urls`).
    """
    for a in lesson.get("attachments") or []:
        if not a.get("url"):
            continue
        url = escape(a["url"])
        for ref in (a["name"], f"files/{lesson['key']}/{a['name']}"):
            for attribute in ("src", "href"):
                html = html.replace(f'{attribute}="{escape(ref)}"', f'{attribute}="{url}"')
    return html


def lesson_with_file_urls(lesson: dict, url_for) -> dict:
    """A copy of a rendered lesson whose attachments (listed and named in its HTML) point at
    `url_for(attachment)`: the learner's or the studio's access-checked file view.

    Versions published while files were public hold each attachment's old storage URL
    (`/media/course-files/...`) in `url` and in the HTML; those are pointed at the view too.
    """
    html = lesson.get("html") or ""
    attachments = []
    for a in lesson.get("attachments") or []:
        url = url_for(a)
        if a.get("url"):
            html = html.replace(f'="{escape(a["url"])}"', f'="{escape(url)}"')
        attachments.append({**a, "url": url})
    linked = {**lesson, "attachments": attachments}
    linked["html"] = link_attachments(html, linked)
    return linked


def snapshot_attachment(snapshot: dict, *, sha256: str, name: str) -> dict | None:
    """The attachment of this content with this checksum and name, or None."""
    for m in snapshot.get("modules") or []:
        for le in m.get("lessons") or []:
            for a in le.get("attachments") or []:
                if a.get("sha256") == sha256 and a.get("name") == name and a.get("file"):
                    return a
    return None


def render_snapshot(content: dict) -> dict:
    """The content with rendered, sanitised HTML beside every Markdown field."""
    snap = copy.deepcopy(content)
    for m in snap["modules"]:
        for le in m["lessons"]:
            for a in le.get("attachments") or []:
                a.pop("data", None)
                a.pop("url", None)
            # Attachment references stay as written (`chart.png`): files are private, and the
            # page showing the lesson links them to its own access-checked view at display
            # time (`lesson_with_file_urls`), so no storage URL is frozen into a version.
            le["html"] = render_markdown(le["body"], images=attachment_refs(le))
            le["video_html"] = video_embed_html(le.get("video_url") or "", title=le["title"])
        for task in m.get("practice") or []:
            practice_render(task)
        if m.get("quiz"):
            _render_quiz(m["quiz"])
    if snap.get("quiz"):
        _render_quiz(snap["quiz"])
    return snap


def snapshot_content(snapshot: dict) -> dict:
    """A version's snapshot back to a plain content dict (for restore and export)."""
    data = copy.deepcopy(snapshot)
    data.setdefault("validity_months", None)  # versions published before the field existed
    for m in data["modules"]:
        for le in m["lessons"]:
            le.pop("html", None)
            le.pop("video_html", None)
            for a in le.get("attachments") or []:
                a.pop("url", None)
        for task in m.get("practice") or []:
            practice_strip(task)
        for quiz in [m.get("quiz")]:
            if quiz:
                for q in quiz["questions"]:
                    q.pop("prompt_html", None)
                    q.pop("explanation_html", None)
    if data.get("quiz"):
        for q in data["quiz"]["questions"]:
            q.pop("prompt_html", None)
            q.pop("explanation_html", None)
    return data
