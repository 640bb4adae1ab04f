"""The catalog's cards, filter form and learning paths come from the per-process fragment
cache (courses.fragments): the page is byte for byte what plain rendering gives, a change
shows at once, another agency's courses never appear, and the queries do not grow with the
number of courses."""

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from courses import fragments
from courses import services as course_services
from courses.models import Visibility
from courses.services.paths import learning_path_save
from learning import services
from tests.builders import build_course, finish_course

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fragments_cleared(fresh_fragments):
    return fresh_fragments


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_session_clock):
    return frozen_session_clock


def _page(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', response.content.decode())


def _cached_and_plain(client, path, **params):
    """The page rendered with the fragment cache cold, warm, then without it."""
    fragments.clear()
    fragments.enabled = True
    with mock.patch.object(fragments, "get_template", wraps=fragments.get_template) as loads:
        cold = _page(client, path, **params)
        cold_renders = loads.call_count
        warm = _page(client, path, **params)
    # the warm page came from the cache (the cold request may change what a later one shows)
    assert loads.call_count - cold_renders < cold_renders
    fragments.enabled = False
    plain = _page(client, path, **params)
    fragments.enabled = True
    return cold, warm, plain


def _topic(course, actor, slug):
    course_services.course_update(
        actor=actor, course=course, expected_revision=course.draft_revision, topics=[slug]
    )
    course_services.course_publish(actor=actor, course=course)


@pytest.fixture
def catalog(world):
    """Courses in every state for the learner of agency A, topics, a learning path, and a
    course of agency A only."""
    admin = world.platform_admin
    courses = [
        build_course(
            admin, None, slug=f"c{n}", title=f"Course {n}", visibility=Visibility.ALL, publish=True
        )
        for n in range(4)
    ]
    _topic(courses[0], admin, "ethics")
    own = build_course(world.a_trainer, world.a, slug="a-only", title="A only", publish=True)
    services.enrollment_create(user=world.a_learner, course=courses[0])
    started = services.enrollment_create(user=world.a_learner, course=courses[1])
    services.enrollment_visit(
        enrollment=started, lesson_key=started.version.snapshot["modules"][0]["lessons"][0]["key"]
    )
    finish_course(services.enrollment_create(user=world.a_learner, course=courses[2]))
    learning_path_save(
        actor=None, agency=None, slug="path", title="A path", course_slugs=["c0", "c1", "c3"]
    )
    return courses, own


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "params", [{}, {"search": "course"}, {"topic": "ethics", "level": "beginner"}]
)
def test_catalog_is_byte_identical_with_and_without_the_fragment_cache(
    world, catalog, client_for, language, params
):
    client = client_for(world.a_learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    cold, warm, plain = _cached_and_plain(client, reverse("courses:catalog"), **params)
    assert cold == warm == plain
    if not params:
        assert "A only" in plain and "A path" in plain
        assert ("Completed" if language == "en" else "Terminé") in plain


@time_machine.travel(NOW, tick=False)
def test_other_agency_never_sees_a_card_cached_for_agency_a(world, catalog, client_for):
    _page(client_for(world.a_learner), reverse("courses:catalog"))  # A's cards cached
    client = client_for(world.b_learner)
    cold, warm, plain = _cached_and_plain(client, reverse("courses:catalog"))
    assert cold == warm == plain
    assert "A only" not in warm and "Course 3" in warm
    assert "Enrolled" not in warm and "Completed" not in warm  # A's learner's tags


def test_a_change_shows_at_once_with_the_cache_warm(world, catalog, client_for):
    courses, _own = catalog
    client = client_for(world.a_learner)
    url = reverse("courses:catalog")
    card = re.compile(r'<a href="/courses/c3/">Course 3</a>.*?</li>\n  ', re.S)
    assert "usa-tag" not in card.search(_page(client, url)).group()
    enrollment = services.enrollment_create(user=world.a_learner, course=courses[3])
    assert "Enrolled" in card.search(_page(client, url)).group()
    finish_course(enrollment)
    assert "Completed" in card.search(_page(client, url)).group()
    admin = world.platform_admin
    course = courses[3]
    course.refresh_from_db()
    course_services.course_update(
        actor=admin, course=course, expected_revision=course.draft_revision, title="Course 3 v2"
    )
    assert "Course 3 v2" not in _page(client, url)  # a draft: not shown
    course_services.course_publish(actor=admin, course=course)
    assert '<a href="/courses/c3/">Course 3 v2</a>' in _page(client, url)


def test_catalog_queries_do_not_grow_with_the_courses(world, client_for, django_assert_num_queries):
    client = client_for(world.a_learner)
    url = reverse("courses:catalog")

    def add(first, last):
        for n in range(first, last):
            course = build_course(
                world.platform_admin,
                None,
                slug=f"q{n}",
                title=f"Q {n}",
                visibility=Visibility.ALL,
                publish=True,
            )
            services.enrollment_create(user=world.a_learner, course=course)

    add(0, 3)
    learning_path_save(actor=None, agency=None, slug="p", title="P", course_slugs=["q0", "q1"])
    client.get(url)  # the first request after sign-in saves the session
    # The skeleton is cached: the user, the live sessions, the learner's tags.
    with django_assert_num_queries(3):
        client.get(url)
    add(3, 30)  # publishing changes the catalog's version
    # The skeleton again: + the count, the cards, their topics, the paths, their steps, the
    # filter's topics.
    with django_assert_num_queries(9):
        body = _page(client, url)
    assert "Q 29" in body
    with django_assert_num_queries(3):
        assert _page(client, url) == body


def test_changes_to_who_sees_what_show_at_once_with_the_cache_warm(world, catalog, client_for):
    """Every service that changes what the catalog lists replaces its version."""
    courses, own = catalog
    url = reverse("courses:catalog")
    a, b = client_for(world.a_learner), client_for(world.b_learner)
    assert "Course 3" in _page(a, url) and "A only" not in _page(b, url)
    course_services.course_archive(actor=world.platform_admin, course=courses[3])
    assert "Course 3" not in _page(a, url)
    course_services.course_unarchive(actor=world.platform_admin, course=courses[3])
    assert "Course 3" in _page(a, url)
    own.refresh_from_db()
    course_services.course_update(
        actor=world.a_trainer,
        course=own,
        expected_revision=own.draft_revision,
        visibility=Visibility.CHOSEN,
        shared_with=[world.b],
    )
    assert "A only" in _page(b, url)
    learning_path_save(
        actor=None, agency=None, slug="path", title="A new path", course_slugs=["c0"]
    )
    assert "A new path" in _page(a, url) and "A path" not in _page(a, url)
