"""Bundle import/export, management commands and the seeder."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import AuditEvent
from courses.bundles import (
    BundleError,
    BundleSource,
    bundle_export,
    bundle_import,
    parse_course_bundle,
)
from courses.demo import seed_courses
from courses.models import Course, CourseVersion, LearningPath, Lesson, Status
from courses.services.content import content_hash, draft_content
from tests.builders import build_course

from .conftest import BUNDLES

MINI = BUNDLES / "mini-course"
CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def mini(tmp_path):
    """A writable copy of the mini-course bundle."""
    target = tmp_path / "mini-course"
    shutil.copytree(MINI, target)
    return target


def _comparable(course):
    content = draft_content(course)
    for m in content["modules"]:
        for le in m["lessons"]:
            for a in le["attachments"]:
                a.pop("file")
    return content


def test_import_creates_a_draft_platform_course(db):
    course = bundle_import(MINI, actor=None, agency=None)
    assert course.status == Status.DRAFT and course.owner is None
    assert course.visibility == "all"
    content = draft_content(course)
    assert [m["key"] for m in content["modules"]] == ["first", "second"]
    assert content["modules"][0]["lessons"][0]["attachments"][0]["name"] == "diagram.png"
    assert content["quiz"]["key"] == "final" and content["quiz"]["time_limit_minutes"] == 10
    assert AuditEvent.objects.filter(action="course.import", outcome="success").exists()


def test_import_with_publish_renders_the_video_embed(db):
    course = bundle_import(MINI, actor=None, agency=None, publish=True)
    lesson = course.current_version.snapshot["modules"][0]["lessons"][1]
    assert lesson["video_html"].startswith(
        '<iframe src="https://www.youtube-nocookie.com/embed/abc123"'
    )


def test_export_then_import_round_trips_to_an_identical_course(db, tmp_path):
    original = bundle_import(MINI, actor=None, agency=None, publish=True)
    before = _comparable(original)
    data = bundle_export(original, draft=True)
    assert data == bundle_export(original, draft=True)  # deterministic bytes
    # Move the original out of the way (courses with records are never deleted).
    Course.objects.filter(pk=original.pk).update(slug="mini-course-original")
    again = bundle_import(io.BytesIO(data), actor=None, agency=None)
    assert again.pk != original.pk
    assert _comparable(again) == before
    # and through a folder export, via the management commands
    Course.objects.filter(pk=again.pk).update(slug="mini-course-second")
    call_command("export_course", "mini-course-second", str(tmp_path / "out"), "--draft")
    manifest = tmp_path / "out/course.yaml"
    manifest.write_text(
        manifest.read_text().replace("slug: mini-course-second", "slug: mini-course")
    )
    call_command("import_course", str(tmp_path / "out"))
    third = Course.objects.get(slug="mini-course")
    assert third.pk not in (original.pk, again.pk)
    assert _comparable(third) == before


def test_lesson_objectives_survive_import_publish_and_export(db):
    course = bundle_import(MINI, actor=None, agency=None, publish=True)
    hello = course.current_version.snapshot["modules"][0]["lessons"][0]
    assert hello["objectives"] == ["Say hello in a bundle", "Attach a diagram to a lesson"]
    manifest = zipfile.ZipFile(io.BytesIO(bundle_export(course, draft=False))).read("course.yaml")
    lessons = yaml.safe_load(manifest)["modules"][0]["lessons"]
    assert lessons[0]["objectives"] == ["Say hello in a bundle", "Attach a diagram to a lesson"]
    # a lesson without objectives exports without the key (older bundles stay byte-identical)
    assert "objectives" not in lessons[1]


def test_objectives_must_be_a_list_of_one_line_texts(db, mini):
    manifest = mini / "course.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "          - Attach a diagram to a lesson\n", "          - 3\n", 1
        )
    )
    _content, problems = parse_course_bundle(BundleSource(mini))
    assert any("lessons[0].objectives: expected a list of text" in p for p in problems)


def test_export_of_a_built_course_round_trips(world):
    course = build_course(world.a_trainer, world.a, publish=True)
    before = _comparable(course)
    data = bundle_export(course, draft=False)
    reimported = bundle_import(data, actor=world.a_trainer, agency=world.a)
    assert reimported.pk == course.pk
    assert _comparable(reimported) == before


def test_reimport_of_existing_slug_makes_a_new_draft_not_a_publish(db, mini):
    course = bundle_import(MINI, actor=None, agency=None, publish=True)
    text = (mini / "lessons/03-goodbye.md").read_text()
    (mini / "lessons/03-goodbye.md").write_text(text + "\nA new line.\n")
    again = bundle_import(mini, actor=None, agency=None)
    assert again.pk == course.pk and again.current_version.number == 1
    assert "A new line." in Lesson.objects.get(course=course, key="goodbye").body
    assert "A new line." not in again.current_version.snapshot["modules"][1]["lessons"][0]["body"]


def _problems(path):
    with pytest.raises(BundleError) as refused:
        bundle_import(path, actor=None, agency=None)
    return refused.value.problems


def test_invalid_bundle_lists_every_problem_with_lines_and_changes_nothing(db, mini):
    manifest = (mini / "course.yaml").read_text()
    manifest = manifest.replace("file: lessons/03-goodbye.md", "file: lessons/99-missing.md")
    manifest = manifest.replace("type: true_false", "type: essay")
    manifest = manifest.replace("key: q-final", "key: q-first")
    manifest = manifest.replace(
        "        - {text: A, correct: true}\n        - {text: B, correct: true}",
        "        - {text: A, correct: false}\n        - {text: B, correct: false}",
    )
    (mini / "course.yaml").write_text(manifest)
    problems = _problems(mini)
    joined = "\n".join(problems)
    assert (
        "course.yaml:63: modules[1].lessons[0].file: lesson file lessons/99-missing.md is missing"
        in joined
    )
    assert "modules[0].quiz.questions[1].type: The question “" in joined
    assert "has an unknown type “essay”" in joined
    assert "quiz.questions[0].key: Two questions use the key “q-first”" in joined
    assert "quiz.questions[0].choices: The question “" in joined
    assert "has no correct answer. Mark the right choice." in joined
    assert all(p.startswith("course.yaml:") for p in problems)
    assert not Course.objects.exists()
    assert AuditEvent.objects.filter(action="course.import", outcome="rejected").exists()


def test_bad_yaml_is_reported_with_its_line(db, mini):
    (mini / "course.yaml").write_text("format: academy-course/1\nslug: x\ntitle: [unclosed\n")
    problems = _problems(mini)
    assert len(problems) == 1 and problems[0].startswith("course.yaml:")
    assert "bad YAML" in problems[0]


def test_duplicate_yaml_keys_and_unknown_keys_are_reported(db, mini):
    manifest = (mini / "course.yaml").read_text()
    manifest = manifest.replace(
        "level: intermediate\n", "level: intermediate\nlevel: advanced\ncolour: red\n"
    )
    (mini / "course.yaml").write_text(manifest)
    joined = "\n".join(_problems(mini))
    assert "course.yaml:7: level: duplicate key" in joined
    assert "course.yaml:8: colour: unknown key" in joined


def test_too_large_file_is_refused(db, mini, settings):
    settings.ACADEMY_BUNDLE_MAX_FILE_BYTES = 4000
    (mini / "lessons/01-hello.md").write_text("x" * 5000)
    joined = "\n".join(_problems(mini))
    assert "lessons/01-hello.md: file too large (5000 bytes; the limit is 4000)" in joined


def test_disallowed_attachment_type_is_refused(db, mini):
    (mini / "files/script.html").write_text("<script>alert(1)</script>")
    manifest = (
        (mini / "course.yaml")
        .read_text()
        .replace(
            "attachments: [files/diagram.png]",
            "attachments: [files/diagram.png, files/script.html]",
        )
    )
    (mini / "course.yaml").write_text(manifest)
    assert any("cannot be attached" in p for p in _problems(mini))


def test_zip_with_unsafe_paths_is_refused(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.md", "x")
        archive.writestr("course.yaml", "format: academy-course/1\n")
    assert any("unsafe path" in p for p in _problems(buffer.getvalue()))


def test_not_a_bundle_is_refused(db):
    assert _problems(b"not a zip")


def test_other_agency_cannot_take_over_a_slug(world):
    bundle_import(MINI, actor=world.a_trainer, agency=world.a)
    with pytest.raises(BundleError, match="already exists"):
        bundle_import(MINI, actor=world.b_admin, agency=world.b)
    with pytest.raises(BundleError):
        bundle_import(MINI, actor=world.a_learner, agency=world.a)
    assert Course.objects.get().owner == world.a


def test_import_command_reports_problems_and_fails(db, mini):
    (mini / "lessons/01-hello.md").unlink()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_course", str(mini))
    assert not Course.objects.exists()


def test_export_command_writes_a_zip(db, tmp_path):
    bundle_import(MINI, actor=None, agency=None, publish=True)
    call_command("export_course", "mini-course", str(tmp_path / "mini.zip"))
    names = zipfile.ZipFile(tmp_path / "mini.zip").namelist()
    assert "course.yaml" in names and "files/hello/diagram.png" in names
    with pytest.raises(CommandError):
        call_command("export_course", "nope", str(tmp_path / "x.zip"))


def test_import_command_publishes_for_an_agency(world):
    call_command("import_course", str(MINI), "--agency", "agency-a", "--publish")
    course = Course.objects.get()
    assert course.owner == world.a and course.status == Status.PUBLISHED


def test_seeder_imports_bundles_and_paths_idempotently(db):
    first = seed_courses(content_dir=BUNDLES)
    assert first["published"] == ["mini-course"] and first["paths"] == ["mini-path"]
    second = seed_courses(content_dir=BUNDLES)
    assert second["unchanged"] == ["mini-course"] and not second["published"]
    assert CourseVersion.objects.count() == 1
    path = LearningPath.objects.get()
    assert list(path.steps.values_list("course__slug", flat=True)) == ["mini-course"]


def test_seeder_publishes_a_new_version_when_content_changes(db, tmp_path):
    shutil.copytree(BUNDLES, tmp_path / "content")
    seed_courses(content_dir=tmp_path / "content")
    lesson = tmp_path / "content/mini-course/lessons/02-video.md"
    lesson.write_text("Changed.\n")
    assert seed_courses(content_dir=tmp_path / "content")["published"] == ["mini-course"]
    assert CourseVersion.objects.count() == 2


def test_bundle_hash_matches_the_published_version(db):
    content, problems = parse_course_bundle(BundleSource(MINI))
    assert not problems
    course = bundle_import(MINI, actor=None, agency=None, publish=True)
    assert course.current_version.content_hash == content_hash(content)


def test_starter_curriculum_bundles_are_valid(db):
    folders = [p for p in CONTENT.iterdir() if (p / "course.yaml").is_file()]
    for folder in folders:
        assert parse_course_bundle(BundleSource(folder))[1] == [], folder.name


def test_demo_seeding_publishes_the_federal_rules_course_with_objectives_and_exercises(db):
    report = seed_courses()  # the demo's default: every bundle in content/
    assert "federal-ai-rules" in report["published"]
    snapshot = Course.objects.get(slug="federal-ai-rules").current_version.snapshot
    lessons = [le for m in snapshot["modules"] for le in m["lessons"]]
    assert len(lessons) == 5
    for lesson in lessons:
        assert lesson["objectives"], lesson["key"]
        assert '<div class="admonition exercise">' in lesson["html"], lesson["key"]
        assert "<details>\n<summary>Worked example</summary>" in lesson["html"], lesson["key"]
        assert 'href="https://www.' in lesson["html"] and ".gov" in lesson["html"]
    quizzes = [m["quiz"] for m in snapshot["modules"]]
    assert all(quizzes) and snapshot["quiz"] is None  # one quiz per module
    for quiz in quizzes:
        assert len(quiz["questions"]) >= quiz["questions_per_attempt"]


def test_starter_topics_get_their_display_names(db):
    from courses.models import Topic

    seed_courses(content_dir=CONTENT)
    names = dict(Topic.objects.values_list("slug", "name"))
    assert names["ai-basics"] == "AI basics" and names["foi"] == "Freedom of information"
    assert all(name != slug for slug, name in names.items())


def test_an_unpublished_course_exports_only_its_draft(world):
    course = build_course(world.a_trainer, world.a)
    data = bundle_export(course, draft=True)
    with pytest.raises(ValidationError, match="never been published"):
        bundle_export(course, draft=False)
    lesson = zipfile.ZipFile(io.BytesIO(data)).read("lessons/01-what-is-ai.md")
    assert lesson.startswith(b"# What")


def test_lesson_completion_setting_survives_export_and_import(world):
    course = build_course(world.a_trainer, world.a, complete_lessons_at_end=True)
    data = bundle_export(course, draft=True)
    Course.objects.filter(pk=course.pk).update(slug="intro-ai-original")
    again = bundle_import(io.BytesIO(data), actor=world.a_trainer, agency=world.a)
    assert again.pk != course.pk and again.complete_lessons_at_end is True


def test_certificate_validity_round_trips_exactly(world):
    course = build_course(world.a_trainer, world.a, validity_months=12, publish=True)
    data = bundle_export(course, draft=False)
    manifest = yaml.safe_load(zipfile.ZipFile(io.BytesIO(data)).read("course.yaml"))
    assert manifest["validity_months"] == 12
    Course.objects.filter(pk=course.pk).update(slug="intro-ai-original")
    again = bundle_import(io.BytesIO(data), actor=world.a_trainer, agency=world.a, publish=True)
    assert again.validity_months == 12
    assert again.current_version.snapshot["validity_months"] == 12
    assert bundle_export(again, draft=False) == data  # the same bytes again
    # A course without validity exports without the key (older bundles stay byte-identical).
    plain = build_course(world.a_trainer, world.a, slug="plain", publish=True)
    assert b"validity_months" not in zipfile.ZipFile(
        io.BytesIO(bundle_export(plain, draft=False))
    ).read("course.yaml")


@pytest.mark.parametrize("value", ["0", "121", "twelve"])
def test_a_bad_validity_is_refused_with_its_place(db, mini, value):
    manifest = mini / "course.yaml"
    manifest.write_text(manifest.read_text() + f"validity_months: {value}\n")
    _content, problems = parse_course_bundle(BundleSource(mini))
    assert any(p.startswith("course.yaml") and "validity_months" in p for p in problems)


def test_titles_with_line_breaks_are_refused(db, mini):
    manifest = (mini / "course.yaml").read_text()
    manifest = manifest.replace("title: Mini course", 'title: "Mini\\ncourse"')
    manifest = manifest.replace("title: First module", 'title: "First\\rmodule"')
    manifest = manifest.replace("title: Hello", 'title: "Hello\\nBcc: x@evil.example"')
    manifest = manifest.replace("title: First check", 'title: "First\\ncheck"')
    (mini / "course.yaml").write_text(manifest)
    problems = "\n".join(_problems(mini))
    assert "The course title must fit on one line" in problems
    assert "The title of the module “First module” must fit on one line" in problems
    assert "The title of the lesson “Hello Bcc: x@evil.example” must fit on one line" in problems
    assert "The title of the quiz “First check” must fit on one line" in problems
    assert not Course.objects.exists()


def test_starter_quizzes_do_not_give_away_the_answer_by_position():
    """Always choosing the first choice must not pass a starter quiz: the right answer of the
    single-choice questions sits at every position, first in well under half of them."""
    import yaml

    positions = []
    for manifest in sorted(CONTENT.glob("*/course.yaml")):
        data = yaml.safe_load(manifest.read_text())
        quizzes = [m["quiz"] for m in data["modules"] if m.get("quiz")]
        quizzes += [data["quiz"]] if data.get("quiz") else []
        for quiz in quizzes:
            for question in quiz["questions"]:
                if question["type"] == "single":
                    flags = [bool(c.get("correct")) for c in question["choices"]]
                    positions.append(flags.index(True))
    assert len(positions) > 20
    assert positions.count(0) / len(positions) < 0.4
    assert set(positions) >= {0, 1, 2, 3}
