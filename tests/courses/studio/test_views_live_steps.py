"""Authoring live-session steps: the studio outline's forms, publish, bundles (issue 16)."""

import io
import zipfile

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services
from courses.bundles import (
    BundleError,
    BundleSource,
    bundle_export,
    bundle_import,
    parse_course_bundle,
)
from courses.models import Course, LiveStep
from courses.services.content import draft_content

from .conftest import parts


@pytest.fixture
def step(world, course_a):
    module = course_a.modules.get(key="basics")
    return services.live_step_create(
        actor=world.a_trainer,
        module=module,
        title="Hands-on workshop",
        description="Bring a task from your work.",
    )


def test_trainer_adds_a_live_step_from_the_outline(world, course_a, client_for):
    client = client_for(world.a_trainer)
    module = course_a.modules.get(key="practice")
    outline = client.get(reverse("studio:outline", args=[course_a.pk])).content.decode()
    add_url = reverse("studio:live_step_add", args=[course_a.pk, module.pk])
    assert f'href="{add_url}"' in outline
    assert 'name="title"' in client.get(add_url).content.decode()
    response = client.post(add_url, {"title": "Office hours", "description": "Ask anything."})
    assert response.status_code == 302
    step = LiveStep.objects.get(course=course_a)
    assert (step.module_id, step.key, step.description) == (
        module.pk,
        "office-hours",
        "Ask anything.",
    )
    assert response["Location"].endswith(f"#live-step-{step.pk}")
    outline = client.get(reverse("studio:outline", args=[course_a.pk])).content.decode()
    assert "Office hours" in outline and "<code>office-hours</code>" in outline


def test_blank_title_is_refused_and_changes_nothing(world, course_a, client_for):
    module = course_a.modules.get(key="basics")
    response = client_for(world.a_trainer).post(
        reverse("studio:live_step_add", args=[course_a.pk, module.pk]), {"title": "  "}
    )
    assert response.status_code == 200
    assert 'id="id_title-error"' in response.content.decode()
    assert not LiveStep.objects.exists()


def test_same_key_twice_is_refused(world, course_a, step):
    module = course_a.modules.get(key="practice")
    with pytest.raises(ValidationError, match="already uses this key"):
        services.live_step_create(actor=world.a_trainer, module=module, title="Again", key=step.key)


def test_edit_keeps_the_key_and_move_and_delete_work(world, course_a, step, client_for):
    client = client_for(world.a_trainer)
    edit_url = reverse("studio:live_step_edit", args=[course_a.pk, step.pk])
    assert "Bring a task from your work." in client.get(edit_url).content.decode()
    client.post(edit_url, {"title": "Workshop", "description": ""})
    step.refresh_from_db()
    assert (step.title, step.key, step.description) == ("Workshop", "hands-on-workshop", "")
    second = services.live_step_create(
        actor=world.a_trainer, module=step.module, title="Second workshop"
    )
    client.post(
        reverse("studio:live_step_move", args=[course_a.pk, second.pk]), {"direction": "up"}
    )
    assert list(step.module.live_steps.values_list("key", flat=True)) == [
        "second-workshop",
        "hands-on-workshop",
    ]
    delete_url = reverse("studio:live_step_delete", args=[course_a.pk, step.pk])
    assert "Yes, delete “Workshop”" in client.get(delete_url).content.decode()
    client.post(delete_url)
    assert list(LiveStep.objects.values_list("key", flat=True)) == ["second-workshop"]


def test_other_agency_trainer_gets_404_on_every_live_step_url(
    world, course_a, step, client_for, b_trainer
):
    client = client_for(b_trainer)
    module_id = parts(course_a)["module_id"]
    urls = [
        reverse("studio:live_step_add", args=[course_a.pk, module_id]),
        reverse("studio:live_step_edit", args=[course_a.pk, step.pk]),
        reverse("studio:live_step_delete", args=[course_a.pk, step.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "Taken over"}).status_code == 404
    move = reverse("studio:live_step_move", args=[course_a.pk, step.pk])
    assert client.post(move, {"direction": "down"}).status_code == 404
    step.refresh_from_db()
    assert step.title == "Hands-on workshop"


def test_step_of_another_course_is_404_even_for_an_editor(world, course_a, step, client_for):
    other = services.course_create(
        actor=world.a_trainer, agency=world.a, title="Other", slug="other-course"
    )
    url = reverse("studio:live_step_edit", args=[other.pk, step.pk])
    assert client_for(world.a_trainer).get(url).status_code == 404


def test_outline_query_count_does_not_grow_with_live_steps(
    world, course_a, client_for, django_assert_num_queries
):
    client = client_for(world.a_trainer)
    url = reverse("studio:outline", args=[course_a.pk])
    module = course_a.modules.get(key="basics")
    services.live_step_create(actor=world.a_trainer, module=module, title="One")
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(2, 6):
        services.live_step_create(actor=world.a_trainer, module=module, title=f"Step {n}")
    with django_assert_num_queries(7):
        client.get(url)


def test_publish_freezes_live_steps_and_later_edits_stay_in_the_draft(world, course_a, step):
    version = services.course_publish(actor=world.a_trainer, course=course_a)
    frozen = version.snapshot["modules"][0]["live_sessions"]
    assert frozen == [
        {
            "key": "hands-on-workshop",
            "title": "Hands-on workshop",
            "description": "Bring a task from your work.",
        }
    ]
    services.live_step_update(actor=world.a_trainer, step=step, title="Renamed")
    version.refresh_from_db()
    assert version.snapshot["modules"][0]["live_sessions"][0]["title"] == "Hands-on workshop"
    # a module without live steps has no `live_sessions` key (content hashes stay as they were)
    assert "live_sessions" not in version.snapshot["modules"][1]


def test_module_with_only_a_live_step_is_publishable(world, course_a):
    module = services.module_create(actor=world.a_trainer, course=course_a, title="Live only")
    services.live_step_create(actor=world.a_trainer, module=module, title="Meet the team")
    assert services.course_publish_problems(course_a) == []


def test_bundle_round_trip_is_exact(world, course_a, step):
    services.live_step_create(actor=world.a_trainer, module=step.module, title="No description")
    before = draft_content(course_a)
    data = bundle_export(course_a, draft=True)
    manifest = yaml.safe_load(zipfile.ZipFile(io.BytesIO(data)).read("course.yaml"))
    assert manifest["modules"][0]["live_sessions"] == [
        {
            "key": "hands-on-workshop",
            "title": "Hands-on workshop",
            "description": "Bring a task from your work.",
        },
        {"key": "no-description", "title": "No description"},
    ]
    assert "live_sessions" not in manifest["modules"][1]
    Course.objects.filter(pk=course_a.pk).update(slug="intro-ai-original")
    again = bundle_import(io.BytesIO(data), actor=world.a_trainer, agency=world.a)
    assert again.pk != course_a.pk
    assert _without_files(draft_content(again)) == _without_files(before)
    assert bundle_export(again, draft=True) == data


def _without_files(content):
    for m in content["modules"]:
        for le in m["lessons"]:
            for a in le["attachments"]:
                a.pop("file")
    return content


def test_bundle_with_a_bad_live_step_lists_the_problem_and_imports_nothing(
    world, course_a, step, tmp_path
):
    data = bundle_export(course_a, draft=True)
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    manifest = folder / "course.yaml"
    text = manifest.read_text()
    manifest.write_text(
        text.replace("key: hands-on-workshop", "key: Not A Key").replace(
            "slug: intro-ai", "slug: fresh-course"
        )
    )
    _content, problems = parse_course_bundle(BundleSource(folder))
    assert any("modules[0].live_sessions[0].key" in p for p in problems), problems
    with pytest.raises(BundleError):
        bundle_import(folder, actor=world.a_trainer, agency=world.a)
    assert not Course.objects.filter(slug="fresh-course").exists()


def test_preview_shows_the_draft_live_step(world, course_a, step, client_for):
    page = client_for(world.a_trainer).get(reverse("studio:course_preview", args=[course_a.pk]))
    assert page.status_code == 200
    assert "Hands-on workshop" in page.content.decode()
