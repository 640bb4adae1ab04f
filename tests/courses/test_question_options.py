"""Partial credit and the objectives a question tests: bundles, checks, studio (issue 15)."""

import io
import shutil
import zipfile

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services
from courses.bundles import BundleError, bundle_export, bundle_import
from courses.models import Course, Question
from courses.services.content import content_hash, content_problems, draft_content
from tests.builders import build_course

from .conftest import BUNDLES

MINI = BUNDLES / "mini-course"
HELLO = "Say hello in a bundle"


@pytest.fixture
def mini(tmp_path):
    """The mini-course with q-final giving partial credit and q-first testing an objective."""
    target = tmp_path / "mini-course"
    shutil.copytree(MINI, target)
    manifest = target / "course.yaml"
    text = manifest.read_text()
    text = text.replace(
        "      prompt: Pick both good ones.\n",
        "      prompt: Pick both good ones.\n      partial_credit: true\n",
    )
    text = text.replace(
        '          prompt: "Which is **right**?"\n',
        f'          prompt: "Which is **right**?"\n          objectives: ["{HELLO}"]\n',
    )
    manifest.write_text(text)
    return target


def _questions(course) -> dict:
    return {q.key: q for q in Question.objects.filter(course=course)}


def test_partial_credit_and_objectives_are_imported(db, mini):
    course = bundle_import(mini, actor=None, agency=None)
    questions = _questions(course)
    assert questions["q-final"].partial_credit is True
    assert questions["q-first"].objectives == [HELLO]
    assert questions["q-tf"].partial_credit is False and questions["q-tf"].objectives == []


def test_export_carries_the_options_exactly_and_round_trips(db, mini):
    course = bundle_import(mini, actor=None, agency=None, publish=True)
    before = draft_content(course)
    data = bundle_export(course, draft=False)
    manifest = yaml.safe_load(zipfile.ZipFile(io.BytesIO(data)).read("course.yaml"))
    final = manifest["quiz"]["questions"][0]
    first, tf = manifest["modules"][0]["quiz"]["questions"]
    assert final["partial_credit"] is True and first["objectives"] == [HELLO]
    # unset options are left out, so bundles that do not use them stay byte-identical
    assert "partial_credit" not in first and "objectives" not in tf
    Course.objects.filter(pk=course.pk).update(slug="mini-course-original")
    again = bundle_import(io.BytesIO(data), actor=None, agency=None)
    assert bundle_export(again, draft=True) == bundle_export(course, draft=True)
    after = draft_content(again)
    assert (
        after["quiz"] == before["quiz"]
        and after["modules"][0]["quiz"] == (before["modules"][0]["quiz"])
    )


def test_a_course_without_the_options_keeps_its_content_hash_shape(world):
    course = build_course(world.a_trainer, world.a)
    question = draft_content(course)["modules"][1]["quiz"]["questions"][0]
    assert "partial_credit" not in question and "objectives" not in question
    hash_before = content_hash(draft_content(course))
    services.question_update(
        actor=world.a_trainer, question=Question.objects.get(key="q-two"), partial_credit=True
    )
    assert content_hash(draft_content(course)) != hash_before


def test_partial_credit_on_a_single_choice_question_is_refused_at_import(db, mini):
    manifest = mini / "course.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "          type: single\n", "          type: single\n          partial_credit: true\n"
        )
    )
    with pytest.raises(BundleError) as refused:
        bundle_import(mini, actor=None, agency=None)
    assert any(
        "questions[0].partial_credit" in p and "only a multiple-choice" in p
        for p in refused.value.problems
    )


def test_an_objective_no_lesson_states_is_refused(db, mini):
    manifest = mini / "course.yaml"
    manifest.write_text(manifest.read_text().replace(f'["{HELLO}"]', '["Juggle"]'))
    with pytest.raises(BundleError) as refused:
        bundle_import(mini, actor=None, agency=None)
    assert any(
        "“Juggle”, which no lesson of the course states" in p for p in refused.value.problems
    )


def test_rewording_a_lesson_objective_blocks_publication_until_questions_follow(world):
    course = build_course(world.a_trainer, world.a)
    lesson = course.lessons.get(key="prompts")
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        objectives=["Write a clear prompt"],
    )
    question = Question.objects.get(course=course, key="q-one")
    services.question_update(
        actor=world.a_trainer, question=question, objectives=["Write a clear prompt"]
    )
    assert content_problems(draft_content(course)) == []
    lesson.refresh_from_db()
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        objectives=["Write clear prompts"],
    )
    problems = content_problems(draft_content(course))
    assert [p.path for p in problems] == ["modules[1].quiz.questions[0].objectives[0]"]


def test_the_service_refuses_partial_credit_outside_multiple_choice(world):
    build_course(world.a_trainer, world.a)
    with pytest.raises(ValidationError):
        services.question_update(
            actor=world.a_trainer, question=Question.objects.get(key="q-one"), partial_credit=True
        )


# --- the studio's question form ------------------------------------------------------------


def _with_objective(world):
    course = build_course(world.a_trainer, world.a)
    lesson = course.lessons.get(key="prompts")
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        objectives=["Write a clear prompt", "Spot a vague prompt"],
    )
    return course


def _form_data(client, url, **changes):
    initial = client.get(url).context["form"].initial
    data = {k: v for k, v in initial.items() if v not in (False, None, [])}
    data.update({"action": "save", **changes})
    return {k: ("on" if v is True else v) for k, v in data.items()}


def test_the_studio_sets_partial_credit_and_objectives(world, client_for):
    course = _with_objective(world)
    question = Question.objects.get(course=course, key="q-two")
    client = client_for(world.a_trainer)
    url = reverse("studio:question_edit", args=[course.pk, question.pk])
    page = client.get(url).content.decode()
    assert "Give partial credit" in page and "Spot a vague prompt" in page
    data = _form_data(client, url, partial_credit="on", objectives=["Spot a vague prompt"])
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.partial_credit is True and question.objectives == ["Spot a vague prompt"]
    # and back off again
    data = _form_data(client, url)
    data.pop("partial_credit")
    data.pop("objectives")
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.partial_credit is False and question.objectives == []


def test_the_studio_refuses_partial_credit_on_a_single_choice_question(world, client_for):
    course = _with_objective(world)
    question = Question.objects.get(course=course, key="q-one")
    client = client_for(world.a_trainer)
    url = reverse("studio:question_edit", args=[course.pk, question.pk])
    response = client.post(url, _form_data(client, url, partial_credit="on"))
    assert response.status_code == 200
    assert "Only a multiple-choice question can give partial credit." in response.content.decode()
    question.refresh_from_db()
    assert question.partial_credit is False


def test_another_agencys_trainer_cannot_edit_the_question(world, client_for):
    from agencies.models import Role
    from tests.builders import make_member

    course = _with_objective(world)
    question = Question.objects.get(course=course, key="q-two")
    b_trainer = make_member(world.b, Role.TRAINER, world.branch, email="trainer@b.gov")
    client = client_for(b_trainer)
    url = reverse("studio:question_edit", args=[course.pk, question.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"partial_credit": "on", "type": "multiple"}).status_code == 404
    question.refresh_from_db()
    assert question.partial_credit is False


def test_a_stale_objective_links_to_the_question_form_where_it_is_fixed(world):
    from courses.studio.problems import problems_shown

    course = _with_objective(world)
    question = Question.objects.get(course=course, key="q-two")
    services.question_update(actor=world.a_trainer, question=question, objectives=["Gone"])
    [shown] = problems_shown(course, content_problems(draft_content(course)))
    edit = reverse("studio:question_edit", args=[course.pk, question.pk])
    assert shown.url == f"{edit}#id_objectives-hint"
    assert "“Gone”, which no lesson of the course states" in shown.message
