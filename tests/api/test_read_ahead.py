"""A sync feed's next page read ahead (api.read_ahead): the client gets the very pages it would
have got, each from the cache once read, and never a page read for another client."""

import pytest

from agencies.services import membership_create
from api import read_ahead
from learning import services as learning
from tests.builders import build_course
from tests.factories import UserFactory


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture
def in_line(settings, monkeypatch):
    """Read ahead on, in the test's own thread (a thread of its own would not see the test's
    rows); records what each request found read ahead."""
    settings.API_SYNC_READ_AHEAD_SECONDS = 30
    monkeypatch.setattr(read_ahead, "_submit", lambda function, *args: function(*args))
    found = []
    take = read_ahead.take

    def spy(key):
        result = take(key)
        found.append(result is not None)
        return result

    monkeypatch.setattr(read_ahead, "take", spy)
    return found


def _enroll(world, course, count):
    for n in range(count):
        user = UserFactory(email=f"p{n}@a.gov")
        membership_create(user=user, agency=world.a, unit=world.ops)
        learning.enrollment_create(user=user, course=course)


def _pages(client, path="enrollments/", page_size=2):
    bodies, params = [], {"page_size": page_size}
    while True:
        response = client.get(path, params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json"
        bodies.append(response.content)
        body = response.json()
        if body["next"] is None:
            return bodies
        params = {"page_size": page_size, "cursor": body["cursor"]}


def test_a_sync_gets_the_same_pages_read_ahead_each_taken_from_the_cache(
    world, api, course, settings, in_line
):
    _enroll(world, course, 7)
    client = api(world.a, scopes=["learning:read"])
    settings.API_SYNC_READ_AHEAD_SECONDS = 0
    plain = _pages(client)
    settings.API_SYNC_READ_AHEAD_SECONDS = 30
    ahead = _pages(client)
    assert len(plain) == 4 and ahead == plain
    # Every page after the first was read ahead, and the last one read nothing more.
    assert in_line == [True, True, True]
    learning_events = _pages(client, "learning-events/")
    assert len(learning_events) > 1 and in_line[3:] == [True] * (len(learning_events) - 1)


def test_a_page_read_ahead_is_never_served_to_another_client(world, api, course, in_line):
    _enroll(world, course, 3)
    mine = api(world.a, scopes=["learning:read"])
    first = mine.get("enrollments/", {"page_size": 2}).json()
    # Another agency's client with the same parameters and cursor gets its own page (nothing
    # of agency a), and the page read ahead for the first client is still there for it.
    other = api(world.b, scopes=["learning:read"])
    params = {"page_size": 2, "cursor": first["cursor"]}
    assert other.get("enrollments/", params).json()["results"] == []
    assert in_line == [False]
    second = mine.get("enrollments/", params).json()
    assert in_line == [False, True] and len(second["results"]) == 1


def test_a_revoked_client_gets_nothing_read_ahead(world, api, course, in_line):
    from api.models import ApiClient
    from api.services import client_revoke

    _enroll(world, course, 3)
    mine = api(world.a, scopes=["learning:read"])
    first = mine.get("enrollments/", {"page_size": 2}).json()
    client_revoke(actor=world.a_admin, client=ApiClient.objects.get())
    response = mine.get("enrollments/", {"page_size": 2, "cursor": first["cursor"]})
    assert response.status_code == 401 and in_line == []


def test_a_sync_goes_on_without_read_ahead_when_its_cache_is_unreachable(
    world, api, course, settings, monkeypatch, in_line
):
    _enroll(world, course, 3)
    client = api(world.a, scopes=["learning:read"])
    settings.API_SYNC_READ_AHEAD_SECONDS = 0
    plain = _pages(client)

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(read_ahead, "cache", Down())
    settings.API_SYNC_READ_AHEAD_SECONDS = 30
    assert _pages(client) == plain and in_line == [False]
