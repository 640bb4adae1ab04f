"""My learning from its two per-process fragments (learning.views.my_learning_response): the
sections keyed on what they are rendered from, the page around them shared by everyone who sees
the same shell, the learner's name, header and session warning put in per request. The page is
byte for byte the whole template's, for learners and managers, a name with markup stays
escaped, and messages are still shown."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse

from courses import fragments
from learning import services
from tests.builders import build_course

from .test_my_learning_fragments import NOW, _cached_and_plain, _page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_cleared(fresh_fragments):
    return fresh_fragments


@pytest.fixture
def course(world):
    return build_course(
        world.a_trainer, world.a, slug="shared", title="Shared course", publish=True
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("person", ["a_manager", "a_admin", "a_learner"])
def test_page_is_the_whole_templates_for_every_role(world, client_for, course, person):
    user = getattr(world, person)
    services.enrollment_create(user=user, course=course, required=True, due_on=dt.date(2026, 4, 1))
    cold, warm, plain = _cached_and_plain(client_for(user), reverse("learning:my_learning"))
    assert cold == warm == plain
    assert ("<h2>Manage</h2>" in plain) == (person != "a_learner")


@time_machine.travel(NOW, tick=False)
def test_two_learners_in_the_same_state_differ_only_by_their_name(world, client_for, course):
    world.a_learner.full_name = "Ada <b>Lovelace</b>"
    world.a_learner.save(update_fields=["full_name"])
    for user in (world.a_learner, world.a_ops_learner):
        services.enrollment_create(user=user, course=course)
    url = reverse("learning:my_learning")
    first = _page(client_for(world.a_learner), url)
    second = _page(client_for(world.a_ops_learner), url)
    assert "Welcome, Ada &lt;b&gt;Lovelace&lt;/b&gt;" in first and "<b>Lovelace" not in first
    fragments.enabled = False
    assert _page(client_for(world.a_learner), url) == first
    assert _page(client_for(world.a_ops_learner), url) == second
    name = re.compile(r"Welcome, [^<]*</h1>")
    assert (
        name.sub("", first).split('id="my-learning"')[1]
        == (name.sub("", second).split('id="my-learning"')[1])
    )


def test_messages_are_shown_once(world, client_for, course):
    client = client_for(world.a_learner)
    url = reverse("learning:my_learning")
    _page(client, url)  # the fragments warm
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Shown once.")])
    assert "Shown once." in client.get(url).content.decode()
    assert "Shown once." not in client.get(url).content.decode()
