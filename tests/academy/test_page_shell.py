"""The header and the session warning, rendered once per combination of what they show and
completed per request (academy/templatetags/page_shell.py), give the same HTML as rendering their
templates on every request, for every role, page and language, and follow a change at once."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import caches
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from agencies.memberships import membership_update
from agencies.models import Membership, Role
from reminders.services import notification_send

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
PAGES = [
    "/",
    "/learn/",
    "/courses/",
    "/courses/some-course/",
    "/notifications/",
    "/accounts/email/",
    "/accounts/login/",
    "/accounts/signup/",
    "/manage/people/?q=a%22b&page=2",
    "/reports/",
]


@pytest.fixture(autouse=True)
def _fresh_fragments():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_session_clock):
    return frozen_session_clock


def _request(user, url):
    request = RequestFactory().get(url)
    request.user = user
    request.session = SessionStore()
    return request


def _render(source, user, url):
    request = _request(user, url)
    html = engines["django"].from_string(source).render({}, request)
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)


def _both(user, url):
    included = _render(
        '{% include "elements/header.html" %}{% include "elements/session_timeout.html" %}',
        user,
        url,
    )
    tagged = _render("{% load page_shell %}{% page_header %}{% session_warning %}", user, url)
    return included, tagged


@pytest.mark.parametrize("language", ["en", "fr"])
def test_header_and_warning_match_the_templates_for_every_role_and_page(world, language):
    people = [
        AnonymousUser(),
        world.a_learner,
        world.a_trainer,
        world.a_manager,
        world.a_admin,
        world.platform_admin,
    ]
    with translation.override(language):
        for user in people:
            for url in PAGES:
                included, tagged = _both(user, url)
                assert tagged == included, (user, url)
                # Served from the fragment cache the second time, still the same.
                assert _both(user, url)[1] == included, (user, url)


def test_header_puts_in_this_requests_path_and_csrf_token(world):
    request = _request(world.a_learner, "/learn/?next=%3Cx%3E")
    html = (
        engines["django"].from_string("{% load page_shell %}{% page_header %}").render({}, request)
    )
    assert 'name="next" type="hidden" value="/learn/?next=%3Cx%3E"' in html
    assert "AcademyShell" not in html
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the cookie is set, as {% csrf_token %}


def test_header_follows_a_new_role_and_unread_notifications_at_once(
    world, django_capture_on_commit_callbacks
):
    learner = world.a_learner
    included, tagged = _both(learner, "/learn/")
    assert "Manage" not in tagged
    membership_update(
        actor=world.a_admin,
        membership=Membership.objects.get(user=learner),
        role=Role.MANAGER,
        unit=world.digital,
    )
    learner.__dict__.pop("_academy_actor", None)  # a new request: a new user object
    included, tagged = _both(learner, "/learn/")
    assert "Manage" in tagged and tagged == included
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=learner, title="Hello", body="", url="/learn/", email=False)
    included, tagged = _both(learner, "/learn/")
    assert "Notifications (1 unread)" in tagged and tagged == included
