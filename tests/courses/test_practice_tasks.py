"""Practice tasks in the course content: checked, frozen into versions, exported and imported
exactly, and authored in the studio with a preview."""

import io
import zipfile

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services
from courses.bundles import BundleSource, bundle_export, bundle_import, parse_course_bundle
from courses.models import PracticeTask
from courses.services.content import content_hash, draft_content
from learning.content import outline
from tests.builders import practice_task, simple_course, with_practice_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    course = simple_course(world.a_trainer, world.a, slug="practice-c", title="Practice")
    return with_practice_task(world.a_trainer, course)


def test_publish_freezes_the_task_with_its_rendered_brief(course):
    snapshot = course.current_version.snapshot
    task = snapshot["modules"][0]["practice"][0]
    assert task["key"] == "rewrite-prompt"
    assert "<strong>without</strong>" in task["brief_html"]
    plan = outline(snapshot)
    assert [s["kind"] for s in plan.steps] == ["lesson", "lesson", "practice"]


def test_a_course_without_tasks_keeps_its_content_hash_shape(world):
    course = simple_course(world.a_trainer, world.a, slug="plain", title="Plain")
    assert "practice" not in draft_content(course)["modules"][0]


@pytest.mark.parametrize(
    "change, path",
    [
        ({"pass_mark": 5}, "pass_mark"),  # more than the rubric's best score (4)
        ({"rubric": []}, "rubric"),
        ({"hand_in": "files", "file_types": []}, "file_types"),
        ({"file_types": [".exe"]}, "file_types"),
        ({"brief": " "}, "brief"),
        (
            {"rubric": [{"key": "x", "title": "X", "levels": [{"points": 1, "descriptor": "a"}]}]},
            "levels",
        ),
    ],
)
def test_a_broken_task_is_refused_and_the_draft_is_unchanged(world, course, change, path):
    with pytest.raises(ValidationError):
        services.practice_task_save(
            actor=world.a_trainer,
            module=course.modules.first(),
            data=practice_task(key="other", **change),
        )
    assert PracticeTask.objects.filter(course=course).count() == 1


def test_another_agencys_trainer_cannot_add_a_task(world, course):
    with pytest.raises(ValidationError):
        services.practice_task_save(
            actor=world.b_admin, module=course.modules.first(), data=practice_task(key="other")
        )


def test_bundle_round_trip_is_exact(world, course, tmp_path):
    data = bundle_export(course, draft=True)
    manifest = yaml.safe_load(zipfile.ZipFile(io.BytesIO(data)).read("course.yaml"))
    assert manifest["modules"][0]["practice"][0]["rubric"][1]["levels"][2]["points"] == 2
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "b")
    manifest["slug"] = "practice-copy"
    (tmp_path / "b" / "course.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    copy = bundle_import(tmp_path / "b", actor=None, agency=None)
    original, imported = draft_content(course), draft_content(copy)
    original["slug"] = imported["slug"]
    assert imported["modules"][0]["practice"] == original["modules"][0]["practice"]
    assert content_hash(imported) == content_hash(original)


def test_import_validates_the_task_first(world, course, tmp_path):
    data = bundle_export(course, draft=True)
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "b")
    manifest = yaml.safe_load((tmp_path / "b" / "course.yaml").read_text())
    manifest["slug"] = "broken-copy"
    manifest["modules"][0]["practice"][0]["pass_mark"] = 99
    manifest["modules"][0]["practice"][0]["colour"] = "red"
    (tmp_path / "b" / "course.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    _content, problems = parse_course_bundle(BundleSource(tmp_path / "b"))
    text = "\n".join(problems)
    assert "modules[0].practice[0].colour: unknown key" in text
    assert "modules[0].practice[0].pass_mark" in text


def test_studio_adds_and_edits_a_task_with_a_preview(client_for, world, course):
    client = client_for(world.a_trainer)
    module = course.modules.first()
    response = client.post(
        reverse("studio:practice_add", args=[course.pk, module.pk]),
        {
            "title": "Check a memo",
            "brief": "Compare the memo with **its sources**.",
            "hand_in": "both",
            "file_types": "pdf, .docx",
            "max_file_mb": 5,
            "rubric": "Errors found | 0 = None | 3 = All\nSources cited | 0 = No | 1 = Yes",
            "pass_mark": 3,
            "resubmissions": 2,
        },
    )
    task = PracticeTask.objects.get(title="Check a memo")
    assert response.status_code == 302
    assert task.file_types == [".pdf", ".docx"] and task.key == "check-a-memo"
    assert [c["key"] for c in task.rubric] == ["errors-found", "sources-cited"]
    page = client.get(reverse("studio:practice_edit", args=[course.pk, task.pk]))
    body = page.content.decode()
    assert "<strong>its sources</strong>" in body and "Yes (1)" in body
    assert "Errors found | 0 = None | 3 = All" in body


def test_studio_shows_a_bad_rubric_line_and_saves_nothing(client_for, world, course):
    client = client_for(world.a_trainer)
    module = course.modules.first()
    response = client.post(
        reverse("studio:practice_add", args=[course.pk, module.pk]),
        {
            "title": "Bad",
            "brief": "x",
            "hand_in": "text",
            "max_file_mb": 5,
            "rubric": "Only a title | two = points",
            "pass_mark": 1,
            "resubmissions": 0,
        },
    )
    assert response.status_code == 200
    assert "Line 1" in response.content.decode()
    assert not PracticeTask.objects.filter(title="Bad").exists()


def test_another_agency_gets_404_on_the_studio_pages(client_for, world, course):
    task = PracticeTask.objects.get(course=course)
    client = client_for(world.b_admin)
    assert client.get(reverse("studio:practice_edit", args=[course.pk, task.pk])).status_code == 404
