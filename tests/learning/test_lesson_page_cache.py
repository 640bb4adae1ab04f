"""The lesson page's player, rendered once per process for each state of the learner and
completed with the CSRF token (learning.views.lesson, academy.fragments), gives the same HTML,
byte for byte, as rendering the whole page each time: in both languages, as lessons are done
and quizzes passed, after the course's completion and after a republish, at once."""

import re

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import caches
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from courses import services as course_services
from courses.models import CourseVersion, Lesson
from learning import selectors, services
from learning.access import access_enrollment
from tests.builders import right_answers

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
# The page as it was before the cache: the player's markup rendered inside the page with the
# full context of `selectors.course_player` and this request's own CSRF token.
REFERENCE = (
    '{% extends "learning/lesson.html" %}'
    '{% block content %}{% include "learning/_lesson_player.html" %}{% endblock %}'
)


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_session_clock):
    return frozen_session_clock


def _normal(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)


def _reference(user, key: str, language: str) -> str:
    url = reverse("learning:lesson", args=["intro-ai", key])
    request = RequestFactory().get(url)
    request.user = user
    request.session = SessionStore()
    enrollment = access_enrollment(user, "intro-ai")
    context = selectors.course_player(enrollment, kind="lesson", key=key)
    with translation.override(language):
        html = engines["django"].from_string(REFERENCE).render(context, request)
    return _normal(html)


def _served(client, key: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("learning:lesson", args=["intro-ai", key]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "AcademyShell" not in html
    return _normal(html)


def _check(client, user, key, language) -> str:
    """The page from a cold or warm cache, then from the warm cache, against the reference."""
    first = _served(client, key, language)
    second = _served(client, key, language)
    reference = _reference(user, key, language)
    assert first == reference, (key, language)
    assert second == reference, (key, language)
    return first


@pytest.mark.parametrize("language", ["en", "fr"])
def test_lesson_page_matches_the_uncached_page_in_every_state(
    world, client_for, enrollment, language
):
    learner = world.a_learner
    client = client_for(learner)
    for key in ("what-is-ai", "history", "prompts"):
        html = _check(client, learner, key, language)
        assert 'id="lesson-done-form"' in html
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    html = _check(client, learner, "what-is-ai", language)  # the done mark shows at once
    assert 'id="lesson-done-form"' not in html and "usa-tag bg-green" in html
    _check(client, learner, "history", language)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    _check(client, learner, "prompts", language)
    for key in ("history", "prompts"):  # the last lessons: the course is completed
        services.lesson_complete(enrollment=enrollment, lesson_key=key)
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    for key in ("what-is-ai", "history", "prompts"):
        _check(client, learner, key, language)


def test_a_republished_course_shows_its_new_version_at_once(world, client_for, enrollment, course):
    learner = world.a_learner
    client = client_for(learner)
    services.lesson_complete(enrollment=enrollment, lesson_key="history")
    before = _check(client, learner, "history", "en")
    assert "What is AI" in before
    lesson = Lesson.objects.get(course=course, key="what-is-ai")
    course_services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        title="What AI really is",
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    after = _check(client, learner, "history", "en")
    assert "What AI really is" in after and after != before


def test_learners_in_the_same_state_share_the_player_and_keep_their_own_token(
    world, client_for, course, django_assert_num_queries
):
    other = world.a_ops_learner
    services.enrollment_create(user=world.a_learner, course=course)
    services.enrollment_create(user=other, course=course)
    client = client_for(world.a_learner)
    _check(client, world.a_learner, "history", "en")
    entries = len(caches["fragments"]._cache)
    client.logout()
    client.force_login(other)
    _check(client, other, "history", "en")
    assert len(caches["fragments"]._cache) == entries  # the same player, from the cache
    url = reverse("learning:lesson", args=["intro-ai", "history"])
    # Steady state: the user (middleware; the session is in the cache), the enrollment with its
    # course, its version's id and row token, the lessons done and quizzes passed (one
    # statement; the version itself is the process's). Whatever the course's size.
    with django_assert_num_queries(2):
        response = client.get(url)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', response.content.decode()
    )
    assert token and "AcademyShell" not in response.content.decode()


def test_unknown_lesson_answers_404_and_another_agency_too(world, client_for, enrollment):
    client = client_for(world.a_learner)
    assert client.get(reverse("learning:lesson", args=["intro-ai", "nope"])).status_code == 404
    client.force_login(world.b_learner)
    url = reverse("learning:lesson", args=["intro-ai", "history"])
    assert client.get(url).status_code == 404


def test_messages_are_shown_on_the_lesson_page(world, enrollment):
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from learning.views import lesson

    request = RequestFactory().get(reverse("learning:lesson", args=["intro-ai", "history"]))
    request.user = world.a_learner
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "Saved & done")
    html = lesson(request, "intro-ai", "history").content.decode()
    assert html.count("Saved &amp; done") == 1 and "AcademyShell" not in html
    assert "AcademyLessonPlayerSlot" not in html and 'id="lesson-done-form"' in html


def test_a_version_rerendered_in_place_is_served_at_once_without_a_restart(
    world, client_for, enrollment, course
):
    """`manage.py rerender_versions` rewrites a published version's HTML in place (same id,
    same content hash): the process's shared version and the fragments built from it follow."""
    learner = world.a_learner
    client = client_for(learner)
    version = course.current_version
    before = _check(client, learner, "history", "en")
    assert "Rendered again" not in before
    snapshot = CourseVersion.objects.get(pk=version.pk).snapshot
    for module in snapshot["modules"]:
        for lesson in module["lessons"]:
            if lesson["key"] == "history":
                lesson["html"] += "<p>Rendered again</p>"
    CourseVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)  # as the command does
    after = _check(client, learner, "history", "en")
    assert "<p>Rendered again</p>" in after and after.replace("<p>Rendered again</p>", "") == before


def test_the_shared_version_is_read_once_per_process(world, client_for, enrollment):
    client = client_for(world.a_learner)
    url = reverse("learning:lesson", args=["intro-ai", "history"])
    client.get(url)
    first = access_enrollment(world.a_learner, "intro-ai", shared_version=True).version
    second = access_enrollment(world.a_learner, "intro-ai", shared_version=True).version
    assert first is second and first.row_serial
    assert access_enrollment(world.a_learner, "intro-ai").version is not first
