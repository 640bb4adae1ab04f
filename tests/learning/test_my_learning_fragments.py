"""My learning's cards, completed rows, paths and suggestions come from the per-process
fragment cache (courses.fragments): the page is byte for byte what plain rendering gives in
every state, a change shows at once, and the queries do not grow with the courses."""

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from courses import fragments
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


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', response.content.decode())


def _cached_and_plain(client, path):
    fragments.clear()
    fragments.enabled = True
    with mock.patch.object(fragments, "get_template", wraps=fragments.get_template) as loads:
        cold = _page(client, path)
        cold_renders = loads.call_count
        warm = _page(client, path)
    # the warm page came from the cache (the cold request may change what a later one shows)
    assert loads.call_count - cold_renders < cold_renders
    fragments.enabled = False
    plain = _page(client, path)
    fragments.enabled = True
    return cold, warm, plain


def _courses(world, first, last, prefix="c"):
    return [
        build_course(
            world.platform_admin,
            None,
            slug=f"{prefix}{n}",
            title=f"Course {prefix}{n}",
            visibility=Visibility.ALL,
            publish=True,
        )
        for n in range(first, last)
    ]


def _first_lesson(enrollment):
    return enrollment.version.snapshot["modules"][0]["lessons"][0]["key"]


@pytest.fixture
def states(world):
    """The learner of agency A with a course in every state, a path and suggestions."""
    c = _courses(world, 0, 9)
    learner = world.a_learner
    services.enrollment_create(user=learner, course=c[0], required=True, due_on=dt.date(2026, 2, 1))
    services.enrollment_create(user=learner, course=c[1], required=True, due_on=dt.date(2026, 4, 1))
    services.enrollment_create(user=learner, course=c[2], required=True)
    services.enrollment_create(user=learner, course=c[3])
    started = services.enrollment_create(user=learner, course=c[4])
    services.enrollment_visit(enrollment=started, lesson_key=_first_lesson(started))
    finish_course(services.enrollment_create(user=learner, course=c[5]))
    learning_path_save(actor=None, agency=None, slug="p", title="A path", course_slugs=["c5", "c6"])
    return c


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("page", ["learning:my_learning", "home"])
def test_my_learning_is_byte_identical_with_and_without_the_fragment_cache(
    world, states, client_for, language, page
):
    client = client_for(world.a_learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    cold, warm, plain = _cached_and_plain(client, reverse(page))
    assert cold == warm == plain
    for title in ("Course c0", "Course c1", "Course c2", "Course c3", "Course c4", "Course c5"):
        assert title in plain
    assert ("Overdue" if language == "en" else "En retard") in plain


@time_machine.travel(NOW, tick=False)
def test_other_agency_learner_sees_only_their_own_learning(world, states, client_for):
    _page(client_for(world.a_learner), reverse("learning:my_learning"))  # A's cards cached
    services.enrollment_create(user=world.b_learner, course=states[0])
    cold, warm, plain = _cached_and_plain(
        client_for(world.b_learner), reverse("learning:my_learning")
    )
    assert cold == warm == plain
    assert "Course c0" in warm and "Course c5" not in warm.split("suggestions-heading")[0]
    assert "Overdue" not in warm and "View certificate" not in warm


@time_machine.travel(NOW, tick=False)
def test_a_change_shows_at_once_with_the_cache_warm(world, states, client_for):
    client = client_for(world.a_learner)
    url = reverse("learning:my_learning")
    assigned = _page(client, url).split('id="assigned-heading"')[1].split("</section>")[0]
    assert "Course c7" not in assigned
    # assigned with a due date
    enrollment = services.enrollment_create(
        user=world.a_learner, course=states[7], required=True, due_on=dt.date(2026, 3, 20)
    )
    assigned = _page(client, url).split('id="assigned-heading"')[1].split("</section>")[0]
    assert "Course c7" in assigned and "Due March 20, 2026" in assigned
    # started: "Continue" and its progress
    services.enrollment_visit(enrollment=enrollment, lesson_key=_first_lesson(enrollment))
    card = _page(client, url).split("Course c7</h4>")[1].split("</li>")[0]
    assert "Continue" in card
    # completed: in the table, with its certificate, and the path's count moves
    before = _page(client, url)
    assert "1 of 2 courses completed" in before
    finish_course(services.enrollment_create(user=world.a_learner, course=states[6]))
    after = _page(client, url)
    completed = after.split('id="completed-heading"')[1].split("</section>")[0]
    assert "Course c6" in completed and "2 of 2 courses completed" in after


def test_my_learning_queries_do_not_grow_with_the_courses(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.a_learner)
    url = reverse("learning:my_learning")

    def add(first, last):
        for n, course in enumerate(_courses(world, first, last, prefix="q")):
            e = services.enrollment_create(user=world.a_learner, course=course, required=n % 2 == 0)
            if n % 3 == 0:
                finish_course(e)

    add(0, 3)
    learning_path_save(actor=None, agency=None, slug="p", title="P", course_slugs=["q0", "q1"])
    client.get(url)  # the first request after sign-in saves the session, reads the catalog
    # the user, the enrollments, the live sessions' and the AI policy's sections (the
    # suggestions and the paths from the agency's catalog kept in the process)
    with django_assert_num_queries(4) as few:
        client.get(url)
    add(3, 30)
    # the new courses changed the catalog: the first request reads it again (three queries)
    with django_assert_num_queries(len(few.captured_queries) + 3):
        client.get(url)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "Course q29" in body
