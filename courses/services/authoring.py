"""Editing the draft: courses, modules, lessons, quizzes, questions, attachments.

Drafts may be incomplete (a question without choices yet); `course_publish` is where the whole
course must be right. Each service checks that the actor may edit the course, runs in one
transaction, and saves with update_fields.
"""

import hashlib
import os
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.services import audited

from ..access import can_author_for
from ..catalog_version import catalog_changed
from ..conf import limit
from ..models import (
    Attachment,
    Choice,
    Course,
    Language,
    Lesson,
    Level,
    Module,
    Question,
    QuestionType,
    Quiz,
    ShowAnswers,
    Status,
    Visibility,
)
from ._common import (
    check_key,
    lock_course,
    next_position,
    reorder,
    require,
    require_editor,
    require_title,
    touch,
    unique_key,
)
from .content import QUIZ_FIELDS, attachment_files_release, course_file_names, topics_for
from .visibility import (
    needs_approval,
    visibility_direct_record,
    visibility_request_open,
    visibility_request_withdraw,
)

COURSE_EDITABLE = {
    "title",
    "summary",
    "audience",
    "level",
    "language",
    "estimated_minutes",
    "outcomes",
    "topics",
    "visibility",
    "shared_with",
    "complete_lessons_at_end",
    "validity_months",
}

# A certificate valid for more than ten years is a mistake, not a policy.
VALIDITY_MONTHS_MAX = 120


def _check_course_fields(fields: dict, *, platform: bool):
    if "title" in fields:
        require_title(fields["title"], _("Give the course a title."))
    if "level" in fields:
        require(fields["level"] in Level.values, _("Choose a valid level."))
    if "language" in fields:
        require(fields["language"] in Language.values, _("Choose a valid language."))
    if "estimated_minutes" in fields:
        require(
            isinstance(fields["estimated_minutes"], int) and fields["estimated_minutes"] >= 0,
            _("Estimated minutes must be zero or more."),
        )
    if fields.get("validity_months") is not None:
        months = fields["validity_months"]
        require(
            isinstance(months, int)
            and not isinstance(months, bool)
            and 1 <= months <= VALIDITY_MONTHS_MAX,
            _("Certificate validity must be between 1 and %(max)d months, or empty.")
            % {"max": VALIDITY_MONTHS_MAX},
        )
    if "outcomes" in fields:
        require(
            isinstance(fields["outcomes"], list | tuple)
            and all(isinstance(o, str) for o in fields["outcomes"]),
            _("Outcomes must be a list of sentences."),
        )
    if "topics" in fields:
        for topic in fields["topics"]:
            check_key(topic, what=_("topic"))
    if "visibility" in fields:
        require(fields["visibility"] in Visibility.values, _("Choose a valid visibility."))
        require(
            not (platform and fields["visibility"] == Visibility.OWNER),
            _("A platform course is shared with every agency or with chosen agencies."),
        )


def _apply_course_fields(course: Course, fields: dict):
    simple = [f for f in fields if f not in ("topics", "shared_with")]
    for f in simple:
        value = fields[f]
        setattr(course, f, list(value) if f == "outcomes" else value)
    if simple:
        course.save(update_fields=simple)
    if "topics" in fields:
        course.topics.set(topics_for(fields["topics"]))
    if "shared_with" in fields:
        course.shared_with.set(fields["shared_with"])


def course_create(
    *,
    actor,
    agency,
    title: str,
    slug: str,
    summary: str = "",
    audience: str = "",
    level: str = Level.BEGINNER,
    language: str = Language.EN,
    estimated_minutes: int = 0,
    topics=(),
    outcomes=(),
    visibility: str | None = None,
    shared_with=(),
    complete_lessons_at_end: bool = False,
    validity_months: int | None = None,
    ip=None,
) -> Course:
    """Create a draft course owned by `agency` (None: a platform course, platform admins only)."""
    visibility = visibility or (Visibility.ALL if agency is None else Visibility.OWNER)
    fields = {
        "title": title,
        "summary": summary,
        "audience": audience,
        "level": level,
        "language": language,
        "estimated_minutes": estimated_minutes,
        "outcomes": list(outcomes),
        "topics": list(topics),
        "visibility": visibility,
        "shared_with": list(shared_with),
        "complete_lessons_at_end": bool(complete_lessons_at_end),
        "validity_months": validity_months,
    }
    with audited(actor=actor, agency=agency, action="course.create", target=slug, ip=ip):
        require(
            actor is None or can_author_for(actor_for(actor), agency),
            _("You cannot create courses here."),
        )
        check_key(slug, what=_("course"))
        require(
            not Course.objects.filter(slug=slug).exists(),
            _("A course with this slug already exists."),
        )
        _check_course_fields(fields, platform=agency is None)
        course = Course.objects.create(
            owner=agency,
            slug=slug,
            title=title.strip(),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        # "Every agency" waits for a platform admin; meanwhile the course is owner-only.
        ask_all = needs_approval(actor, course, visibility)
        if ask_all:
            fields["visibility"], fields["shared_with"] = Visibility.OWNER, []
        _apply_course_fields(course, {k: v for k, v in fields.items() if k != "title"})
        if ask_all:
            visibility_request_open(actor=actor, course=course, ip=ip)
    return course


def course_update(*, actor, course: Course, expected_revision: int, **changes) -> Course:
    """Change course settings if nobody else changed them since `expected_revision`.

    Accepts any of: title, summary, audience, level, language, estimated_minutes, outcomes,
    topics (slugs), visibility, shared_with (agencies). Bumps `draft_revision`.
    """
    unknown = set(changes) - COURSE_EDITABLE
    if unknown:
        raise TypeError(f"course_update got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_editor(actor, course)
        locked = lock_course(course)
        if locked.draft_revision != expected_revision:
            raise ValidationError(
                _(
                    "This course was changed by someone else since you opened it. "
                    "Reload the page to see their changes, then make yours again."
                ),
                code="stale",
            )
        _check_course_fields(changes, platform=locked.owner_id is None)
        changes = _visibility_changes(actor, locked, changes)
        _apply_course_fields(locked, changes)
        if locked.status == Status.PUBLISHED and {"visibility", "shared_with"} & changes.keys():
            catalog_changed()  # who sees the course changes now, not at the next publish
        locked.draft_revision += 1
        locked.save(update_fields=["draft_revision"])
        touch(locked)
    locked.refresh_from_db()
    return locked


def _visibility_changes(actor, course: Course, changes: dict) -> dict:
    """The changes to apply now: asking for "Every agency" without being a platform admin opens
    a request and leaves visibility and sharing as they are; any other choice withdraws a
    pending request."""
    if "visibility" not in changes:
        return changes
    if needs_approval(actor, course, changes["visibility"]):
        visibility_request_open(actor=actor, course=course)
        return {k: v for k, v in changes.items() if k not in ("visibility", "shared_with")}
    visibility_request_withdraw(course=course)
    visibility_direct_record(actor=actor, course=course, visibility=changes["visibility"])
    return changes


# --- modules -------------------------------------------------------------------------------


def module_create(*, actor, course: Course, title: str, key: str | None = None) -> Module:
    with transaction.atomic():
        require_editor(actor, course)
        lock_course(course)
        require_title(title, _("Give the module a title."))
        taken = set(course.modules.values_list("key", flat=True))
        key = key or unique_key(title, taken)
        check_key(key, what=_("module"))
        require(key not in taken, _("Another module already uses this key."))
        module = Module.objects.create(
            course=course, key=key, title=title.strip(), position=next_position(course.modules)
        )
        touch(course)
    return module


def module_rename(*, actor, module: Module, title: str) -> Module:
    with transaction.atomic():
        require_editor(actor, module.course)
        require_title(title, _("Give the module a title."))
        module.title = title.strip()
        module.save(update_fields=["title"])
        touch(module.course)
    return module


def module_move(*, actor, module: Module, direction: str) -> Module:
    """Move a module one place "up" or "down"."""
    with transaction.atomic():
        require_editor(actor, module.course)
        lock_course(module.course)
        reorder(module.course.modules.all(), module, direction)
        touch(module.course)
    return module


def module_delete(*, actor, module: Module) -> None:
    """Delete a module with its lessons and quiz (published versions keep theirs)."""
    with transaction.atomic():
        require_editor(actor, module.course)
        files = course_file_names(module.course_id, lesson__module=module)
        module.delete()
        attachment_files_release(module.course_id, files)
        touch(module.course)


# --- lessons -------------------------------------------------------------------------------


def _check_video(video_url: str, transcript: str):
    if video_url:
        require(
            urlsplit(video_url).scheme in ("http", "https"),
            _("The video link must start with https://."),
        )
        require(transcript.strip(), _("A lesson with a video needs a transcript."))


def lesson_create(
    *,
    actor,
    module: Module,
    title: str,
    key: str | None = None,
    body: str = "",
    estimated_minutes: int = 0,
    video_url: str = "",
    transcript: str = "",
    objectives: list[str] | None = None,
) -> Lesson:
    course = module.course
    with transaction.atomic():
        require_editor(actor, course)
        lock_course(course)
        require_title(title, _("Give the lesson a title."))
        taken = set(Lesson.objects.filter(course=course).values_list("key", flat=True))
        key = key or unique_key(title, taken)
        check_key(key, what=_("lesson"))
        require(key not in taken, _("Another lesson in this course already uses this key."))
        _check_video(video_url, transcript)
        lesson = Lesson.objects.create(
            course=course,
            module=module,
            key=key,
            title=title.strip(),
            body=body,
            estimated_minutes=estimated_minutes,
            video_url=video_url,
            transcript=transcript,
            objectives=_clean_objectives(objectives or []),
            position=next_position(module.lessons),
        )
        touch(course)
    return lesson


LESSON_EDITABLE = {"title", "body", "estimated_minutes", "video_url", "transcript", "objectives"}


def _clean_objectives(objectives: list[str]) -> list[str]:
    """One objective per item, trimmed, empty lines dropped; each must fit on one line."""
    cleaned = [o.strip() for o in objectives if o and o.strip()]
    for objective in cleaned:
        require(
            "\n" not in objective and "\r" not in objective,
            _("Write each objective on a line of its own."),
        )
    return cleaned


def lesson_update(*, actor, lesson: Lesson, expected_revision: int, **changes) -> Lesson:
    """Save lesson changes unless someone else saved it since `expected_revision`.

    Accepts title, body, estimated_minutes, video_url, transcript, objectives (a list of
    one-line texts). Bumps `revision`.
    """
    unknown = set(changes) - LESSON_EDITABLE
    if unknown:
        raise TypeError(f"lesson_update got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_editor(actor, lesson.course)
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if locked.revision != expected_revision:
            raise ValidationError(
                _(
                    "This lesson was changed by someone else since you opened it. "
                    "Copy your text, reload the page, and apply your changes again."
                ),
                code="stale",
            )
        if "title" in changes:
            require_title(changes["title"], _("Give the lesson a title."))
        if "objectives" in changes:
            changes["objectives"] = _clean_objectives(changes["objectives"])
        for field, value in changes.items():
            setattr(locked, field, value)
        _check_video(locked.video_url, locked.transcript)
        locked.revision += 1
        locked.save(update_fields=[*changes, "revision"])
        touch(locked.course)
    return locked


def lesson_move(
    *, actor, lesson: Lesson, direction: str | None = None, to_module: Module | None = None
) -> Lesson:
    """Move a lesson up/down within its module, or to the end of another module."""
    with transaction.atomic():
        require_editor(actor, lesson.course)
        lock_course(lesson.course)
        if to_module is not None and to_module.pk != lesson.module_id:
            require(
                to_module.course_id == lesson.course_id,
                _("Lessons can only move within their course."),
            )
            lesson.module = to_module
            lesson.position = next_position(to_module.lessons)
            lesson.save(update_fields=["module", "position"])
        else:
            reorder(lesson.module.lessons.all(), lesson, direction or "")
        touch(lesson.course)
    return lesson


def lesson_delete(*, actor, lesson: Lesson) -> None:
    with transaction.atomic():
        require_editor(actor, lesson.course)
        files = course_file_names(lesson.course_id, lesson=lesson)
        lesson.delete()
        attachment_files_release(lesson.course_id, files)
        touch(lesson.course)


# --- attachments ---------------------------------------------------------------------------


def attachment_check(name: str, size: int) -> str:
    """The content type for an allowed attachment, else a ValidationError."""
    types = limit("ACADEMY_ATTACHMENT_TYPES")
    extension = os.path.splitext(name)[1].lower()
    require(
        extension in types,
        _("Files of type “%(ext)s” cannot be attached. Allowed: %(ok)s")
        % {"ext": extension or name, "ok": ", ".join(sorted(types))},
    )
    require(
        size <= limit("ACADEMY_ATTACHMENT_MAX_BYTES"),
        _("The file is too large (%(size)d bytes; the limit is %(limit)d).")
        % {"size": size, "limit": limit("ACADEMY_ATTACHMENT_MAX_BYTES")},
    )
    return types[extension]


IMAGE_MAGIC = {
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8\xff",
    "image/gif": b"GIF8",
    "application/pdf": b"%PDF",
}


def attachment_add(*, actor, lesson: Lesson, upload) -> Attachment:
    """Attach an uploaded file (checked by extension, size and magic bytes) to a lesson."""
    name = os.path.basename(upload.name)
    with transaction.atomic():
        require_editor(actor, lesson.course)
        content_type = attachment_check(name, upload.size)
        data = upload.read()
        magic = IMAGE_MAGIC.get(content_type)
        require(
            magic is None or data.startswith(magic),
            _("The file does not look like a %(ext)s file.") % {"ext": name.rsplit(".")[-1]},
        )
        require(
            not lesson.attachments.filter(name=name).exists(),
            _("This lesson already has a file with that name."),
        )
        attachment = Attachment(
            lesson=lesson,
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            position=next_position(lesson.attachments),
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        touch(lesson.course)
    return attachment


def attachment_delete(*, actor, attachment: Attachment) -> None:
    """Remove from the draft; the stored file goes too once no version references it."""
    with transaction.atomic():
        require_editor(actor, attachment.lesson.course)
        attachment.delete()
        attachment_files_release(attachment.lesson.course_id, [attachment.file.name])
        touch(attachment.lesson.course)


# --- quizzes and questions -----------------------------------------------------------------

QUIZ_EDITABLE = set(QUIZ_FIELDS) - {"key"}


def _check_quiz_fields(fields: dict):
    if "title" in fields:
        require_title(fields["title"], _("Give the quiz a title."))
    if "pass_mark" in fields:
        require(
            isinstance(fields["pass_mark"], int) and 1 <= fields["pass_mark"] <= 100,
            _("The pass mark is a percentage from 1 to 100."),
        )
    if "max_attempts" in fields:
        require(
            isinstance(fields["max_attempts"], int) and fields["max_attempts"] >= 0,
            _("Attempts allowed must be 0 (unlimited) or more."),
        )
    if "questions_per_attempt" in fields:
        require(
            isinstance(fields["questions_per_attempt"], int)
            and fields["questions_per_attempt"] >= 1,
            _("Draw at least one question per attempt."),
        )
    if "show_answers" in fields:
        require(fields["show_answers"] in ShowAnswers.values, _("Choose when to show the answers."))
    if fields.get("time_limit_minutes") is not None:
        require(fields["time_limit_minutes"] >= 1, _("The time limit must be at least one minute."))


def quiz_create(
    *,
    actor,
    course: Course,
    title: str,
    module: Module | None = None,
    key: str | None = None,
    **settings,
) -> Quiz:
    """Add a quiz to a module, or (module None) at the end of the course. One per place.

    `questions_per_attempt` None (or not given) asks every question of the pool: one for the
    empty pool, and then as many as the pool holds while questions are added with
    `draw_follows_pool` (see `question_create`).
    """
    unknown = set(settings) - QUIZ_EDITABLE
    if unknown:
        raise TypeError(f"quiz_create got unknown fields: {sorted(unknown)}")
    if settings.get("questions_per_attempt") is None:
        settings["questions_per_attempt"] = 1
    with transaction.atomic():
        require_editor(actor, course)
        lock_course(course)
        require(
            module is None or module.course_id == course.pk,
            _("That module belongs to another course."),
        )
        _check_quiz_fields({"title": title, **settings})
        existing = Quiz.objects.filter(course=course, module=module).exists()
        require(not existing, _("There is already a quiz here."))
        taken = set(course.quizzes.values_list("key", flat=True))
        key = key or unique_key(title, taken)
        check_key(key, what=_("quiz"))
        require(key not in taken, _("Another quiz in this course already uses this key."))
        quiz = Quiz.objects.create(
            course=course, module=module, key=key, title=title.strip(), **settings
        )
        touch(course)
    return quiz


def quiz_update(*, actor, quiz: Quiz, **changes) -> Quiz:
    """Change a quiz's settings; `questions_per_attempt` None asks every question of the pool."""
    unknown = set(changes) - QUIZ_EDITABLE
    if unknown:
        raise TypeError(f"quiz_update got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        require_editor(actor, quiz.course)
        if "questions_per_attempt" in changes and changes["questions_per_attempt"] is None:
            changes["questions_per_attempt"] = max(1, quiz.questions.count())
        _check_quiz_fields(changes)
        for field, value in changes.items():
            setattr(quiz, field, value)
        quiz.save(update_fields=list(changes))
        touch(quiz.course)
    return quiz


def _draw_follow(quiz: Quiz, *, before: int, change: int) -> None:
    """Keep a quiz that asks every question asking every question as its pool changes by
    `change`, and never let the draw outgrow a shrinking pool."""
    after = max(1, before + change)
    draw = quiz.questions_per_attempt
    follows = (change > 0 and draw == max(1, before)) or (change < 0 and draw > after)
    if follows and draw != after:
        quiz.questions_per_attempt = after
        quiz.save(update_fields=["questions_per_attempt"])


def quiz_delete(*, actor, quiz: Quiz) -> None:
    with transaction.atomic():
        require_editor(actor, quiz.course)
        quiz.delete()
        touch(quiz.course)


def _write_choices(question: Question, choices: list[dict]):
    """Replace the choices. Each: {text, is_correct, feedback?, key?}; keys kept when given."""
    for choice in choices:
        require(str(choice.get("text", "")).strip(), _("Every choice needs text."))
    given = {c["key"] for c in choices if c.get("key")}
    keys = []
    for choice in choices:
        # A choice without a key gets the first free "cN", never one a kept choice holds.
        key = choice.get("key") or next(
            f"c{n}"
            for n in range(1, len(choices) + len(given) + 2)
            if f"c{n}" not in given and f"c{n}" not in keys
        )
        keys.append(key)
    for key in keys:
        check_key(key, what=_("choice"))
    require(len(set(keys)) == len(keys), _("Two choices have the same key."))
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(
            question=question,
            key=key,
            text=c["text"].strip(),
            is_correct=bool(c.get("is_correct")),
            feedback=c.get("feedback", ""),
            position=i,
        )
        for i, (key, c) in enumerate(zip(keys, choices, strict=True))
    )


def question_create(
    *,
    actor,
    quiz: Quiz,
    type: str,
    prompt: str,
    explanation: str = "",
    choices: list[dict] = (),
    key: str | None = None,
    partial_credit: bool = False,
    objectives: list[str] = (),
    draw_follows_pool: bool = False,
) -> Question:
    """Add a question with its choices ({text, is_correct, feedback}) to a quiz's pool.

    With `draw_follows_pool` (the studio), a quiz that asked every question of its pool
    (`questions_per_attempt` equal to the pool, or 1 for an empty pool) asks the new one too,
    so the draw never outgrows the pool by default.
    """
    course = quiz.course
    with transaction.atomic():
        require_editor(actor, course)
        lock_course(course)
        if draw_follows_pool:
            _draw_follow(quiz, before=quiz.questions.count(), change=1)
        require(type in QuestionType.values, _("Choose a valid question type."))
        require(prompt.strip(), _("Write the question."))
        taken = set(Question.objects.filter(course=course).values_list("key", flat=True))
        key = key or unique_key(f"q-{prompt[:40]}", taken)
        check_key(key, what=_("question"))
        require(key not in taken, _("Another question in this course already uses this key."))
        _check_question_options(type, partial_credit)
        question = Question.objects.create(
            course=course,
            quiz=quiz,
            key=key,
            type=type,
            prompt=prompt,
            explanation=explanation,
            partial_credit=partial_credit,
            objectives=list(objectives),
            position=next_position(quiz.questions),
        )
        _write_choices(question, list(choices))
        touch(course)
    return question


def question_update(
    *,
    actor,
    question: Question,
    type: str | None = None,
    prompt: str | None = None,
    explanation: str | None = None,
    choices: list[dict] | None = None,
    partial_credit: bool | None = None,
    objectives: list[str] | None = None,
) -> Question:
    """Change a question; `choices`, when given, replaces the whole list.

    `objectives` names lesson objectives by their text; one that no lesson states is refused
    at publication (`content_problems`), so a lesson's objective can be reworded first.
    """
    with transaction.atomic():
        require_editor(actor, question.course)
        fields = []
        if type is not None:
            require(type in QuestionType.values, _("Choose a valid question type."))
            question.type = type
            fields.append("type")
        if prompt is not None:
            require(prompt.strip(), _("Write the question."))
            question.prompt = prompt
            fields.append("prompt")
        if explanation is not None:
            question.explanation = explanation
            fields.append("explanation")
        if partial_credit is not None:
            question.partial_credit = partial_credit
            fields.append("partial_credit")
        if objectives is not None:
            question.objectives = list(objectives)
            fields.append("objectives")
        _check_question_options(question.type, question.partial_credit)
        if fields:
            question.save(update_fields=fields)
        if choices is not None:
            _write_choices(question, list(choices))
        touch(question.course)
    return question


def _check_question_options(type: str, partial_credit: bool) -> None:
    require(
        not partial_credit or type == QuestionType.MULTIPLE,
        _("Only a multiple-choice question can give partial credit."),
    )


def question_delete(*, actor, question: Question, draw_follows_pool: bool = False) -> None:
    """Remove a question from its quiz's pool; with `draw_follows_pool` (the studio), a draw
    that would now be larger than the pool shrinks with it."""
    with transaction.atomic():
        require_editor(actor, question.course)
        if draw_follows_pool:
            _draw_follow(question.quiz, before=question.quiz.questions.count(), change=-1)
        question.delete()
        touch(question.course)
