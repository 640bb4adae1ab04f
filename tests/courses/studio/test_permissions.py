"""Who may open the studio, and which courses: 404 for every course outside the user's scope."""

import pytest
from django.urls import reverse

from courses.models import Course, Lesson, Module, Question, Quiz, Status

from .conftest import parts

COURSE_URLS = [
    ("studio:outline", ["course_id"]),
    ("studio:course_edit", ["course_id"]),
    ("studio:course_publish", ["course_id"]),
    ("studio:course_archive", ["course_id"]),
    ("studio:course_unarchive", ["course_id"]),
    ("studio:course_export", ["course_id"]),
    ("studio:version_list", ["course_id"]),
    ("studio:version_diff", ["course_id"]),
    ("studio:version_restore", ["course_id", "number"]),
    ("studio:course_preview", ["course_id"]),
    ("studio:answer_key", ["course_id"]),
    ("studio:module_add", ["course_id"]),
    ("studio:module_rename", ["course_id", "module_id"]),
    ("studio:module_move", ["course_id", "module_id"]),
    ("studio:module_delete", ["course_id", "module_id"]),
    ("studio:lesson_add", ["course_id", "module_id"]),
    ("studio:lesson_edit", ["course_id", "lesson_id"]),
    ("studio:lesson_autosave", ["course_id", "lesson_id"]),
    ("studio:lesson_move", ["course_id", "lesson_id"]),
    ("studio:lesson_delete", ["course_id", "lesson_id"]),
    ("studio:attachment_add", ["course_id", "lesson_id"]),
    ("studio:attachment_delete", ["course_id", "attachment_id"]),
    ("studio:markdown_preview", ["course_id"]),
    ("studio:quiz_add", ["course_id"]),
    ("studio:quiz_edit", ["course_id", "quiz_id"]),
    ("studio:quiz_delete", ["course_id", "quiz_id"]),
    ("studio:question_add", ["course_id", "quiz_id"]),
    ("studio:question_edit", ["course_id", "question_id"]),
    ("studio:question_delete", ["course_id", "question_id"]),
]
GET_PAGES = [
    "studio:outline",
    "studio:course_edit",
    "studio:course_publish",
    "studio:version_list",
    "studio:course_preview",
    "studio:answer_key",
    "studio:module_rename",
    "studio:module_delete",
    "studio:lesson_add",
    "studio:lesson_edit",
    "studio:lesson_delete",
    "studio:quiz_add",
    "studio:quiz_edit",
    "studio:quiz_delete",
    "studio:question_add",
    "studio:question_edit",
    "studio:question_delete",
    "studio:version_restore",
]
POST_DATA = {
    "title": "Hijacked",
    "direction": "up",
    "body": "x",
    "revision": "1",
    "module-title": "Hijacked",
}


def url(name, args, ids):
    return reverse(name, args=[ids[a] for a in args])


def content_fingerprint(course):
    course = Course.objects.get(pk=course.pk)
    return (
        course.title,
        course.status,
        course.current_version_id,
        course.draft_revision,
        list(Module.objects.filter(course=course).values_list("pk", "title", "position")),
        list(
            Lesson.objects.filter(course=course).values_list("pk", "title", "position", "revision")
        ),
        Quiz.objects.filter(course=course).count(),
        Question.objects.filter(course=course).count(),
    )


@pytest.mark.parametrize(("name", "args"), COURSE_URLS, ids=[n for n, _ in COURSE_URLS])
def test_trainer_of_agency_a_gets_404_on_every_url_of_agency_b_course(
    world, course_b, client_for, name, args
):
    client = client_for(world.a_trainer)
    before = content_fingerprint(course_b)
    target = url(name, args, parts(course_b))
    assert client.get(target).status_code in (404, 405)
    assert client.post(target, POST_DATA).status_code == 404
    assert content_fingerprint(course_b) == before


@pytest.mark.parametrize("who", ["a_admin", "platform_admin"])
def test_other_editors_get_404_on_agency_b_course(world, course_b, client_for, who):
    client = client_for(getattr(world, who))
    ids = parts(course_b)
    for name, args in COURSE_URLS:
        target = url(name, args, ids)
        assert client.post(target, POST_DATA).status_code == 404, name


@pytest.mark.parametrize("who", ["a_learner", "a_manager", "b_learner"])
def test_learners_and_managers_get_404_on_the_studio(world, course_a, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("studio:course_list")).status_code == 404
    assert client.get(reverse("studio:course_create")).status_code == 404
    assert client.get(reverse("studio:course_import")).status_code == 404
    assert client.get(reverse("studio:outline", args=[course_a.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(world, course_a, client):
    response = client.get(reverse("studio:outline", args=[course_a.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_missing_course_answers_404_like_a_forbidden_one(world, client_for):
    assert (
        client_for(world.a_trainer).get(reverse("studio:outline", args=[999999])).status_code == 404
    )


def test_part_of_another_course_answers_404_inside_my_course(world, course_a, course_b, client_for):
    """An id from agency B's course, put in a URL of my own course, is not found."""
    client = client_for(world.a_trainer)
    mine, theirs = parts(course_a), parts(course_b)
    for name, args in COURSE_URLS:
        if len(args) < 2 or args[1] == "number":
            continue
        ids = {**theirs, "course_id": mine["course_id"]}
        assert client.post(url(name, args, ids), POST_DATA).status_code == 404, name
    assert Course.objects.get(pk=course_b.pk).status == Status.PUBLISHED


@pytest.mark.parametrize("who", ["a_trainer", "a_admin"])
def test_agency_editors_open_every_page_of_their_course(world, course_a, client_for, who):
    client = client_for(getattr(world, who))
    ids = parts(course_a)
    for name, args in COURSE_URLS:
        if name in GET_PAGES:
            assert client.get(url(name, args, ids)).status_code == 200, name


def test_platform_admin_edits_platform_courses_only(world, course_a, client_for):
    from tests.builders import build_course

    platform = build_course(
        world.platform_admin,
        None,
        slug="platform-course",
        title="Platform course",
        visibility="all",
    )
    client = client_for(world.platform_admin)
    response = client.get(reverse("studio:course_list"))
    assert platform.title in response.content.decode()
    assert course_a.title not in response.content.decode()
    assert client.get(reverse("studio:outline", args=[platform.pk])).status_code == 200
    assert client.get(reverse("studio:outline", args=[course_a.pk])).status_code == 404


def test_studio_link_shows_for_trainers_only(world, client_for):
    assert 'href="/studio/"' in client_for(world.a_trainer).get("/").content.decode()
    assert 'href="/studio/"' not in client_for(world.a_learner).get("/").content.decode()
