"""The course manifest: YAML with line numbers, and every check of course.yaml's fields."""

import hashlib
from pathlib import PurePosixPath

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..conf import limit
from ..markdown import MarkdownTooLarge, render_markdown_within_budget
from ..models import HandIn, Language, Level, ShowAnswers
from ..registries import bundle_sections
from ..services.authoring import VALIDITY_MONTHS_MAX, attachment_check
from ..services.content import (
    QUIZ_FIELDS,
    content_problems,
    live_steps_field,
    question_options,
)
from ..services.practice import PRACTICE_FIELDS
from .source import COURSE_FORMAT, MANIFEST, BundleError, BundleSource


def _index_nodes(node, path="", lines=None, seen=None, problems=None, filename=MANIFEST):
    """Map every field path ("modules[1].quiz.key") to its line; flag duplicate keys, aliases."""
    if id(node) in seen:
        problems.append(
            f"{filename}:{node.start_mark.line + 1}: {path}: " + _("YAML aliases are not allowed")
        )
        return
    seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        keys = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = f"{path}.{key}" if path else str(key)
            if key in keys:
                problems.append(
                    f"{filename}:{key_node.start_mark.line + 1}: {child}: " + _("duplicate key")
                )
            keys.add(key)
            _index_nodes(value_node, child, lines, seen, problems, filename)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_nodes(item, f"{path}[{index}]", lines, seen, problems, filename)


def _first_anchor_or_alias(text: str) -> int | None:
    """The line of the first anchor or alias, found from the event stream, which never expands
    them: a 1 KB "billion laughs" document must be refused before anything is built from it."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        return None  # compose() reports the syntax error with its line
    return None


def load_yaml(data: bytes, filename: str):
    """(value, {path: line}, problems). Safe loader only; no aliases; no duplicate keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, {}, [f"{filename}: " + _("not UTF-8 text")]
    alias = _first_anchor_or_alias(text)
    if alias is not None:
        return None, {}, [f"{filename}:{alias}: " + _("YAML anchors and aliases are not allowed")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark else filename
        return None, {}, [f"{where}: " + _("bad YAML: %s") % getattr(error, "problem", error)]
    lines, problems = {}, []
    if node is not None:
        _index_nodes(node, "", lines, set(), problems, filename)
    return value, lines, problems


class _Checker:
    """Collects problems as "course.yaml:LINE: field.path: message"."""

    def __init__(self, lines, filename=MANIFEST):
        self.lines, self.filename, self.problems = lines, filename, []

    def line(self, path: str):
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe.rsplit(".", 1)[0] if "." in probe else probe.rsplit("[", 1)[0]
            if probe == path:
                break
        return None

    def add(self, path: str, message: str):
        line = self.line(path)
        where = f"{self.filename}:{line}" if line else self.filename
        self.problems.append(f"{where}: {path}: {message}" if path else f"{where}: {message}")

    def mapping(self, value, path, allowed, required=()):
        if not isinstance(value, dict):
            self.add(path, _("expected a mapping"))
            return {}
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else str(key), _("unknown key"))
        for key in required:
            if key not in value or value[key] in (None, ""):
                self.add(f"{path}.{key}" if path else key, _("required"))
        return value

    def text(self, data, key, path, default=""):
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.add(f"{path}.{key}" if path else key, _("expected text"))
            return default
        return value

    def integer(self, data, key, path, default=0, minimum=0):
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.add(
                f"{path}.{key}" if path else key,
                _("expected a whole number of at least %d") % minimum,
            )
            return default
        return value

    def boolean(self, data, key, path, default):
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", _("expected true or false"))
            return default
        return value

    def strings(self, data, key, path):
        value = data.get(key) or []
        full = f"{path}.{key}" if path else key
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(full, _("expected a list of text"))
            return []
        return value

    def items(self, data, key, path):
        value = data.get(key) or []
        if not isinstance(value, list):
            self.add(f"{path}.{key}" if path else key, _("expected a list"))
            return []
        return value


COURSE_KEYS = {
    "format",
    "slug",
    "title",
    "summary",
    "audience",
    "level",
    "language",
    "estimated_minutes",
    "topics",
    "outcomes",
    "modules",
    "quiz",
    "complete_lessons_at_end",
    "validity_months",
}
MODULE_KEYS = {"key", "title", "lessons", "live_sessions", "practice", "quiz"}
LIVE_STEP_KEYS = {"key", "title", "description"}
LESSON_KEYS = {
    "key",
    "title",
    "file",
    "estimated_minutes",
    "video_url",
    "transcript",
    "objectives",
    "attachments",
}
QUIZ_KEYS = set(QUIZ_FIELDS) | {"questions"}
QUESTION_KEYS = {"key", "type", "prompt", "explanation", "partial_credit", "objectives", "choices"}
CHOICE_KEYS = {"key", "text", "correct", "feedback"}
PRACTICE_KEYS = set(PRACTICE_FIELDS)
CRITERION_KEYS = {"key", "title", "levels"}
LEVEL_KEYS = {"points", "descriptor"}


def _parse_practice(c: _Checker, raw, path) -> dict:
    """A practice task of course.yaml (its brief inline, Markdown); the shape of its values is
    checked with the content (`practice_problems`)."""
    data = c.mapping(raw, path, PRACTICE_KEYS, required=("key", "title", "brief", "rubric"))
    rubric = []
    for i, raw_criterion in enumerate(c.items(data, "rubric", path)):
        c_path = f"{path}.rubric[{i}]"
        criterion = c.mapping(raw_criterion, c_path, CRITERION_KEYS, required=("key", "title"))
        levels = []
        for j, raw_level in enumerate(c.items(criterion, "levels", c_path)):
            l_path = f"{c_path}.levels[{j}]"
            level = c.mapping(raw_level, l_path, LEVEL_KEYS, required=("descriptor",))
            levels.append(
                {
                    "points": c.integer(level, "points", l_path, 0),
                    "descriptor": c.text(level, "descriptor", l_path),
                }
            )
        rubric.append(
            {
                "key": c.text(criterion, "key", c_path),
                "title": c.text(criterion, "title", c_path),
                "levels": levels,
            }
        )
    return {
        "key": c.text(data, "key", path),
        "title": c.text(data, "title", path),
        "brief": c.text(data, "brief", path),
        "hand_in": c.text(data, "hand_in", path, HandIn.TEXT),
        "file_types": c.strings(data, "file_types", path),
        "max_file_mb": c.integer(data, "max_file_mb", path, 5, minimum=1),
        "pass_mark": c.integer(data, "pass_mark", path, 1, minimum=1),
        "resubmissions": c.integer(data, "resubmissions", path, 2),
        "anonymous_review": c.boolean(data, "anonymous_review", path, False),
        "rubric": rubric,
    }


def _parse_quiz(c: _Checker, raw, path) -> dict:
    data = c.mapping(raw, path, QUIZ_KEYS, required=("key", "title", "questions"))
    quiz = {
        "key": c.text(data, "key", path),
        "title": c.text(data, "title", path),
        "pass_mark": c.integer(data, "pass_mark", path, 80, minimum=1),
        "max_attempts": c.integer(data, "max_attempts", path, 0),
        "questions_per_attempt": c.integer(data, "questions_per_attempt", path, 5, minimum=1),
        "shuffle_questions": c.boolean(data, "shuffle_questions", path, True),
        "shuffle_choices": c.boolean(data, "shuffle_choices", path, True),
        "show_answers": c.text(data, "show_answers", path, ShowAnswers.AFTER_ATTEMPT),
        "time_limit_minutes": c.integer(data, "time_limit_minutes", path, None, minimum=1),
        "questions": [],
    }
    for q_index, raw_q in enumerate(c.items(data, "questions", path)):
        q_path = f"{path}.questions[{q_index}]"
        q = c.mapping(raw_q, q_path, QUESTION_KEYS, required=("key", "type", "prompt"))
        choices = []
        for c_index, raw_choice in enumerate(c.items(q, "choices", q_path)):
            c_path = f"{q_path}.choices[{c_index}]"
            choice = c.mapping(raw_choice, c_path, CHOICE_KEYS, required=("text",))
            choices.append(
                {
                    "key": c.text(choice, "key", c_path) or f"c{c_index + 1}",
                    "text": str(choice.get("text", "")) if choice.get("text") is not None else "",
                    "correct": c.boolean(choice, "correct", c_path, False),
                    "feedback": c.text(choice, "feedback", c_path),
                }
            )
        quiz["questions"].append(
            {
                "key": c.text(q, "key", q_path),
                "type": q.get("type"),
                "prompt": c.text(q, "prompt", q_path),
                "explanation": c.text(q, "explanation", q_path),
                **question_options(
                    c.boolean(q, "partial_credit", q_path, False),
                    c.strings(q, "objectives", q_path),
                ),
                "choices": choices,
            }
        )
    return quiz


def _parse_lesson(c: _Checker, source: BundleSource, raw, path, attachment_names) -> dict:
    data = c.mapping(raw, path, LESSON_KEYS, required=("key", "title", "file"))
    lesson = {
        "key": c.text(data, "key", path),
        "title": c.text(data, "title", path),
        "body": "",
        "estimated_minutes": c.integer(data, "estimated_minutes", path, 0),
        "video_url": c.text(data, "video_url", path),
        "transcript": c.text(data, "transcript", path),
        "objectives": c.strings(data, "objectives", path),
        "attachments": [],
    }
    file = c.text(data, "file", path)
    if file:
        if not source.exists(file):
            c.add(f"{path}.file", _("lesson file %s is missing from the bundle") % file)
        elif not file.endswith(".md"):
            c.add(f"{path}.file", _("a lesson file must be a .md file"))
        else:
            try:
                body = source.read(file, max_bytes=limit("ACADEMY_BUNDLE_MAX_LESSON_BYTES"))
                lesson["body"] = body.decode("utf-8")
            except BundleError as error:
                c.add(f"{path}.file", error.problems[0])
            except UnicodeDecodeError:
                c.add(f"{path}.file", _("%s is not UTF-8 text") % file)
    for a_index, name in enumerate(c.strings(data, "attachments", path)):
        a_path = f"{path}.attachments[{a_index}]"
        if not source.exists(name):
            c.add(a_path, _("attachment %s is missing from the bundle") % name)
            continue
        basename = PurePosixPath(name).name
        if basename in attachment_names:
            c.add(a_path, _("two attachments of this lesson are named %s") % basename)
        attachment_names.add(basename)
        try:
            content_type = attachment_check(basename, source.sizes[name])
            payload = source.read(name)
        except (ValidationError, BundleError) as error:
            c.add(a_path, f"{name}: " + "; ".join(error.messages))
            continue
        lesson["attachments"].append(
            {
                "name": basename,
                "content_type": content_type,
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
                "data": payload,
            }
        )
    return lesson


def _parse_live_steps(c: _Checker, module: dict, path: str) -> list[dict]:
    steps = []
    for s_index, raw in enumerate(c.items(module, "live_sessions", path)):
        s_path = f"{path}.live_sessions[{s_index}]"
        step = c.mapping(raw, s_path, LIVE_STEP_KEYS, required=("key", "title"))
        steps.append(
            {
                "key": c.text(step, "key", s_path),
                "title": c.text(step, "title", s_path),
                "description": c.text(step, "description", s_path),
            }
        )
    return steps


def _rendered_size_problems(content: dict) -> list[str]:
    """Render the lessons one by one and stop at the import's budget for rendered HTML."""
    budget, total = limit("ACADEMY_BUNDLE_MAX_RENDERED_BYTES"), 0
    for m_index, module in enumerate(content["modules"]):
        for l_index, lesson in enumerate(module["lessons"]):
            where = f"{MANIFEST}: modules[{m_index}].lessons[{l_index}]: "
            try:
                total += len(render_markdown_within_budget(lesson["body"]))
            except MarkdownTooLarge as too_large:
                return [
                    where + _("the lesson renders to more than %d bytes of HTML") % too_large.budget
                ]
            if total > budget:
                return [
                    where + _("the lessons render to more than %d bytes of HTML in all") % budget
                ]
    return []


def parse_course_bundle(source: BundleSource) -> tuple[dict | None, list[str]]:
    """The bundle as a content dict, and every problem found (empty: importable)."""
    if source.problems:
        return None, list(source.problems)
    if not source.exists(MANIFEST):
        return None, [_("%s is missing from the bundle") % MANIFEST]
    try:
        raw = source.read(MANIFEST)
    except BundleError as error:
        return None, error.problems
    data, lines, problems = load_yaml(raw, MANIFEST)
    if data is None:
        return None, problems or [f"{MANIFEST}: " + _("empty manifest")]
    c = _Checker(lines)
    c.problems.extend(problems)
    data = c.mapping(
        data,
        "",
        COURSE_KEYS | set(bundle_sections.keys()),
        required=("format", "slug", "title", "modules"),
    )
    if data.get("format") not in (None, COURSE_FORMAT):
        c.add("format", _("expected %s") % COURSE_FORMAT)
    content = {
        "slug": c.text(data, "slug", ""),
        "title": c.text(data, "title", ""),
        "summary": c.text(data, "summary", ""),
        "audience": c.text(data, "audience", ""),
        "level": c.text(data, "level", "", Level.BEGINNER),
        "language": c.text(data, "language", "", Language.EN),
        "estimated_minutes": c.integer(data, "estimated_minutes", "", 0),
        "outcomes": c.strings(data, "outcomes", ""),
        "complete_lessons_at_end": c.boolean(data, "complete_lessons_at_end", "", False),
        "validity_months": c.integer(data, "validity_months", "", None, minimum=1),
        "topics": sorted(set(c.strings(data, "topics", ""))),
        "modules": [],
        "quiz": None,
    }
    if (content["validity_months"] or 0) > VALIDITY_MONTHS_MAX:
        c.add("validity_months", _("expected at most %d months") % VALIDITY_MONTHS_MAX)
        content["validity_months"] = None
    for m_index, raw_module in enumerate(c.items(data, "modules", "")):
        path = f"modules[{m_index}]"
        module = c.mapping(raw_module, path, MODULE_KEYS, required=("key", "title"))
        parsed = {
            "key": c.text(module, "key", path),
            "title": c.text(module, "title", path),
            "lessons": [],
            "quiz": None,
        }
        for l_index, raw_lesson in enumerate(c.items(module, "lessons", path)):
            parsed["lessons"].append(
                _parse_lesson(c, source, raw_lesson, f"{path}.lessons[{l_index}]", set())
            )
        tasks = [
            _parse_practice(c, raw_task, f"{path}.practice[{t_index}]")
            for t_index, raw_task in enumerate(c.items(module, "practice", path))
        ]
        if tasks:
            parsed["practice"] = tasks
        if module.get("quiz") is not None:
            parsed["quiz"] = _parse_quiz(c, module["quiz"], f"{path}.quiz")
        parsed.update(live_steps_field(_parse_live_steps(c, module, path)))
        content["modules"].append(parsed)
    if data.get("quiz") is not None:
        content["quiz"] = _parse_quiz(c, data["quiz"], "quiz")
    sections = {key: data[key] for key in bundle_sections.keys() if key in data}
    for key, raw in sections.items():
        for problem in bundle_sections[key].problems(raw):
            c.add(key, problem)
    if sections:
        content["sections"] = sections  # written by bundle_import through each section's apply
    if not c.problems:
        c.problems.extend(_rendered_size_problems(content))
    for problem in content_problems(content):
        # A lesson's body comes from its file: point at the `file` line.
        path = (
            problem.path[: -len(".body")] + ".file"
            if problem.path.endswith(".body")
            else problem.path
        )
        c.add(path, problem.message)
    return content, list(dict.fromkeys(c.problems))
