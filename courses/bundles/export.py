"""A course as a bundle: a zip that is byte-identical for identical content, or a folder."""

import io
import zipfile
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from ..models import Course
from ..registries import bundle_sections
from ..services.content import QUIZ_FIELDS, draft_content, question_options, snapshot_content
from ..services.practice import PRACTICE_FIELDS
from .source import COURSE_FORMAT, MANIFEST

ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _quiz_manifest(quiz: dict) -> dict:
    out = {f: quiz[f] for f in QUIZ_FIELDS if quiz.get(f) is not None}
    out["questions"] = [
        {
            "key": q["key"],
            "type": q["type"],
            "prompt": q["prompt"],
            "explanation": q.get("explanation") or "",
            **question_options(q.get("partial_credit"), q.get("objectives")),
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
        **({"validity_months": months} if (months := content.get("validity_months")) else {}),
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
            if le.get("objectives"):
                lesson["objectives"] = list(le["objectives"])
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
        if m.get("live_sessions"):
            module["live_sessions"] = [
                {
                    "key": step["key"],
                    "title": step["title"],
                    **({"description": step["description"]} if step.get("description") else {}),
                }
                for step in m["live_sessions"]
            ]
        if m.get("practice"):
            module["practice"] = [{f: task[f] for f in PRACTICE_FIELDS} for task in m["practice"]]
        if m.get("quiz"):
            module["quiz"] = _quiz_manifest(m["quiz"])
        manifest["modules"].append(module)
    if content.get("quiz"):
        manifest["quiz"] = _quiz_manifest(content["quiz"])
    version = None if draft else course.current_version
    for key, section in bundle_sections.items():
        data = section.export(course=course, version=version)
        if data is None:
            continue
        problems = section.problems(data)
        if problems:
            raise ValidationError([f"{MANIFEST}: {key}: {problem}" for problem in problems])
        manifest[key] = data
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
