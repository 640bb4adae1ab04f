"""Portable course bundles: a folder or zip holding course.yaml, lessons/*.md and files/*.

See docs/course-bundles.md for the format. Import validates everything first, reports every
problem with its file and line (or field path), and only then writes, in one transaction.
"""

import hashlib
import io
import os
import zipfile
from pathlib import Path, PurePosixPath

import yaml
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.services import audited

from .access import can_author_for, can_edit_course
from .conf import limit
from .models import Course, Language, Level, ShowAnswers, Visibility
from .services._common import touch
from .services.authoring import attachment_check
from .services.content import (
    QUIZ_FIELDS,
    content_problems,
    draft_content,
    draft_replace,
    snapshot_content,
)
from .services.paths import learning_path_save
from .services.publishing import course_publish

COURSE_FORMAT = "academy-course/1"
PATH_FORMAT = "academy-path/1"
MANIFEST = "course.yaml"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class BundleError(ValidationError):
    """An invalid bundle. `problems` lists every problem as "file:line: path: message"."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self.problems)


# --- reading a folder or a zip -------------------------------------------------------------


class BundleSource:
    """The files of a bundle, by relative POSIX path, with their sizes; read on demand."""

    def __init__(self, origin):
        self.problems: list[str] = []
        self._zip = None
        self._root = None
        self.sizes: dict[str, int] = {}
        if isinstance(origin, str | os.PathLike) and Path(origin).is_dir():
            self._root = Path(origin).resolve()
            for path in sorted(self._root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    self.sizes[path.relative_to(self._root).as_posix()] = path.stat().st_size
        else:
            try:
                if isinstance(origin, bytes):
                    origin = io.BytesIO(origin)
                self._zip = zipfile.ZipFile(origin)
            except (zipfile.BadZipFile, OSError) as error:
                self.problems.append(
                    _("The bundle is neither a folder nor a zip file (%s).") % error
                )
                return
            for info in self._zip.infolist():
                name = info.filename
                if info.is_dir():
                    continue
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name:
                    self.problems.append(_("%s: unsafe path in the zip file") % name)
                    continue
                self.sizes[name] = info.file_size
            self._prefix = self._common_prefix()
            if self._prefix:
                self.sizes = {k[len(self._prefix) :]: v for k, v in self.sizes.items()}
        if len(self.sizes) > limit("ACADEMY_BUNDLE_MAX_FILES"):
            self.problems.append(
                _("The bundle has %(n)d files; the limit is %(max)d.")
                % {"n": len(self.sizes), "max": limit("ACADEMY_BUNDLE_MAX_FILES")}
            )
        total = sum(self.sizes.values())
        if total > limit("ACADEMY_BUNDLE_MAX_TOTAL_BYTES"):
            self.problems.append(
                _("The bundle is too large (%(n)d bytes; the limit is %(max)d).")
                % {"n": total, "max": limit("ACADEMY_BUNDLE_MAX_TOTAL_BYTES")}
            )

    def _common_prefix(self) -> str:
        """Zips made by zipping a folder hold "<slug>/course.yaml": read inside that folder."""
        if MANIFEST in self.sizes:
            return ""
        tops = {PurePosixPath(n).parts[0] for n in self.sizes}
        if len(tops) == 1 and f"{next(iter(tops))}/{MANIFEST}" in self.sizes:
            return f"{next(iter(tops))}/"
        return ""

    def exists(self, name: str) -> bool:
        return name in self.sizes

    def read(self, name: str) -> bytes:
        """The file's bytes; refuses (BundleError) a file over the per-file limit."""
        if self.sizes[name] > limit("ACADEMY_BUNDLE_MAX_FILE_BYTES"):
            raise BundleError(
                [
                    _("%(name)s: file too large (%(n)d bytes; the limit is %(max)d)")
                    % {
                        "name": name,
                        "n": self.sizes[name],
                        "max": limit("ACADEMY_BUNDLE_MAX_FILE_BYTES"),
                    }
                ]
            )
        if self._root is not None:
            path = (self._root / name).resolve()
            if not path.is_relative_to(self._root):
                raise BundleError([_("%s: unsafe path") % name])
            return path.read_bytes()
        return self._zip.read(self._prefix + name)


# --- YAML with line numbers ----------------------------------------------------------------


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


def load_yaml(data: bytes, filename: str):
    """(value, {path: line}, problems). Safe loader only; no aliases; no duplicate keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, {}, [f"{filename}: " + _("not UTF-8 text")]
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
}
MODULE_KEYS = {"key", "title", "lessons", "quiz"}
LESSON_KEYS = {
    "key",
    "title",
    "file",
    "estimated_minutes",
    "video_url",
    "transcript",
    "attachments",
}
QUIZ_KEYS = set(QUIZ_FIELDS) | {"questions"}
QUESTION_KEYS = {"key", "type", "prompt", "explanation", "choices"}
CHOICE_KEYS = {"key", "text", "correct", "feedback"}


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
                lesson["body"] = source.read(file).decode("utf-8")
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
    data = c.mapping(data, "", COURSE_KEYS, required=("format", "slug", "title", "modules"))
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
        "topics": sorted(set(c.strings(data, "topics", ""))),
        "modules": [],
        "quiz": None,
    }
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
        if module.get("quiz") is not None:
            parsed["quiz"] = _parse_quiz(c, module["quiz"], f"{path}.quiz")
        content["modules"].append(parsed)
    if data.get("quiz") is not None:
        content["quiz"] = _parse_quiz(c, data["quiz"], "quiz")
    for problem in content_problems(content):
        # A lesson's body comes from its file: point at the `file` line.
        path = (
            problem.path[: -len(".body")] + ".file"
            if problem.path.endswith(".body")
            else problem.path
        )
        c.add(path, problem.message)
    return content, list(dict.fromkeys(c.problems))


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
        draft_replace(course, content)
        course.draft_revision += 1
        course.save(update_fields=["draft_revision"])
        touch(course)
        if publish:
            course_publish(actor=actor, course=course, ip=ip)
            course.refresh_from_db()
    return course


# --- export --------------------------------------------------------------------------------


def _quiz_manifest(quiz: dict) -> dict:
    out = {f: quiz[f] for f in QUIZ_FIELDS if quiz.get(f) is not None}
    out["questions"] = [
        {
            "key": q["key"],
            "type": q["type"],
            "prompt": q["prompt"],
            "explanation": q.get("explanation") or "",
            "choices": [
                {
                    "key": c["key"],
                    "text": c["text"],
                    "correct": c["correct"],
                    "feedback": c.get("feedback") or "",
                }
                for c in q["choices"]
            ],
        }
        for q in quiz["questions"]
    ]
    return out


def bundle_files(course: Course, *, draft: bool) -> dict[str, bytes]:
    """The bundle's files by relative path: the draft, or the current published version."""
    if draft:
        content = draft_content(course)
    else:
        if course.current_version_id is None:
            raise ValidationError(_("This course has never been published; export the draft."))
        content = snapshot_content(course.current_version.snapshot)
    files: dict[str, bytes] = {}
    manifest = {
        "format": COURSE_FORMAT,
        **{
            k: content[k]
            for k in (
                "slug",
                "title",
                "summary",
                "audience",
                "level",
                "language",
                "estimated_minutes",
                "topics",
                "outcomes",
            )
        },
        **({"complete_lessons_at_end": True} if content.get("complete_lessons_at_end") else {}),
        "modules": [],
    }
    number = 0
    for m in content["modules"]:
        module = {"key": m["key"], "title": m["title"], "lessons": []}
        for le in m["lessons"]:
            number += 1
            name = f"lessons/{number:02d}-{le['key']}.md"
            files[name] = le["body"].encode("utf-8")
            lesson = {
                "key": le["key"],
                "title": le["title"],
                "file": name,
                "estimated_minutes": le["estimated_minutes"],
            }
            if le.get("video_url"):
                lesson["video_url"] = le["video_url"]
            if le.get("transcript"):
                lesson["transcript"] = le["transcript"]
            if le.get("attachments"):
                lesson["attachments"] = []
                for a in le["attachments"]:
                    path = f"files/{le['key']}/{a['name']}"
                    with default_storage.open(a["file"], "rb") as handle:
                        files[path] = handle.read()
                    lesson["attachments"].append(path)
            module["lessons"].append(lesson)
        if m.get("quiz"):
            module["quiz"] = _quiz_manifest(m["quiz"])
        manifest["modules"].append(module)
    if content.get("quiz"):
        manifest["quiz"] = _quiz_manifest(content["quiz"])
    files[MANIFEST] = yaml.safe_dump(
        manifest, sort_keys=False, allow_unicode=True, width=100
    ).encode("utf-8")
    return dict(sorted(files.items()))


def bundle_export(course: Course, *, draft: bool) -> bytes:
    """The course as a zip bundle (byte-identical for identical content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in bundle_files(course, draft=draft).items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=ZIP_DATE), data, compress_type=zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def bundle_write_folder(course: Course, folder, *, draft: bool) -> None:
    root = Path(folder)
    for name, data in bundle_files(course, draft=draft).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# --- learning paths ------------------------------------------------------------------------

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
