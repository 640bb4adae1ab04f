"""A sync feed's next page read ahead (api.read_ahead): the client gets the very pages it would
have got, each from the cache once read, and never a page read for another client."""

import datetime
import time

import pytest
import time_machine

from agencies.services import membership_create
from api import read_ahead
from learning import services as learning
from learning.models import Enrollment
from tests.builders import build_course
from tests.factories import UserFactory


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    """Each test starts with no page kept in the process (api.read_ahead._Kept)."""
    monkeypatch.setattr(read_ahead, "_kept", read_ahead._Kept())


@pytest.fixture
def from_process(monkeypatch):
    """Records, for each request that may have been read ahead, whether its page was found kept
    in the process (`_Kept.pop`)."""
    taken = []
    pop = read_ahead._kept.pop

    def spy(key, deadline):
        value = pop(key, deadline)
        taken.append(value is not None)
        return value

    monkeypatch.setattr(read_ahead._kept, "pop", spy)
    return taken


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


def test_two_pages_are_read_ahead_of_the_client_each_once(world, api, course, monkeypatch, in_line):
    _enroll(world, course, 9)
    client = api(world.a, scopes=["learning:read"])
    read = []
    read_and_store = read_ahead._read_and_store

    def spy(key, *args):
        read.append(key)
        read_and_store(key, *args)

    monkeypatch.setattr(read_ahead, "_read_and_store", spy)
    ahead_counts, params = [], {"page_size": 2}
    while True:
        body = client.get("enrollments/", params).json()
        ahead_counts.append(len(read))
        if body["next"] is None:
            break
        params = {"page_size": 2, "cursor": body["cursor"]}
    # Five pages: the first request reads pages 2 and 3 ahead, each next request one more page
    # (never more than two ahead of the client), and no page is read twice.
    assert ahead_counts == [2, 3, 4, 4, 4]
    assert len(set(read)) == 4
    assert in_line == [True, True, True, True]


def test_the_page_after_one_already_read_is_started_by_the_request_or_by_its_reader(
    world, api, course, monkeypatch, in_line
):
    """Whichever of the request and the reader comes second starts the page two ahead: the
    reader when the request asked first (`:more`), the request when the reader knows where it
    starts (`:next`)."""
    _enroll(world, course, 9)
    client = api(world.a, scopes=["learning:read"])
    queued = []
    # Readers queued instead of run, to run them in the order each case needs.
    monkeypatch.setattr(read_ahead, "_submit", lambda function, *args: queued.append(args))
    first = client.get("enrollments/", {"page_size": 2}).json()
    assert len(queued) == 1  # page 2, whose reader will go on to page 3
    read_ahead._read_and_store(*queued.pop())
    assert len(queued) == 1  # page 3: started by page 2's reader
    # The client takes page 2 before page 3 is read: page 3's reader is asked for page 4.
    second = client.get("enrollments/", {"page_size": 2, "cursor": first["cursor"]}).json()
    assert len(second["results"]) == 2 and queued[0][0].startswith(read_ahead._PREFIX)
    assert len(queued) == 1
    read_ahead._read_and_store(*queued.pop())
    assert len(queued) == 1  # page 4, started by page 3's reader
    # Page 4 read before the client asks for page 3: the request starts page 5 itself.
    read_ahead._read_and_store(*queued.pop())
    assert queued == []
    third = client.get("enrollments/", {"page_size": 2, "cursor": second["cursor"]}).json()
    assert len(third["results"]) == 2 and len(queued) == 1
    assert in_line == [True, True]


def test_a_page_is_taken_from_the_process_that_read_it_with_the_same_bytes(
    world, api, course, settings, in_line, from_process
):
    _enroll(world, course, 7)
    client = api(world.a, scopes=["learning:read"])
    settings.API_SYNC_READ_AHEAD_SECONDS = 0
    plain = _pages(client)
    settings.API_SYNC_READ_AHEAD_SECONDS = 30
    assert _pages(client) == plain
    # Every page after the first from the process's copy; none left kept once served.
    assert in_line == [True, True, True] and from_process == [True, True, True]
    assert len(read_ahead._kept) == 0


def test_a_page_kept_in_the_process_is_never_served_to_another_agency(
    world, api, course, in_line, from_process
):
    _enroll(world, course, 3)
    mine = api(world.a, scopes=["learning:read"])
    first = mine.get("enrollments/", {"page_size": 2}).json()
    assert len(read_ahead._kept) == 1
    other = api(world.b, scopes=["learning:read"])
    params = {"page_size": 2, "cursor": first["cursor"]}
    assert other.get("enrollments/", params).json()["results"] == []
    assert in_line == [False] and from_process == [False] and len(read_ahead._kept) == 1
    second = mine.get("enrollments/", params).json()
    assert len(second["results"]) == 1 and from_process == [False, True]


def test_a_page_taken_on_another_process_is_not_served_again_from_this_one(
    world, api, course, settings, monkeypatch, in_line, from_process
):
    _enroll(world, course, 5)
    client = api(world.a, scopes=["learning:read"])
    read = []
    read_and_store = read_ahead._read_and_store
    monkeypatch.setattr(
        read_ahead,
        "_read_and_store",
        lambda key, *args: (read.append(key), read_and_store(key, *args)),
    )
    first = client.get("enrollments/", {"page_size": 2})
    # Another process took page 2 from the shared cache (`take` deletes it there).
    read_ahead.cache.delete_many([read[0], read[0] + ":pending"])
    second = client.get("enrollments/", {"page_size": 2, "cursor": first.json()["cursor"]})
    # Kept here, but no longer in the shared cache: the request read its page itself.
    assert from_process == [True] and in_line == [False]
    settings.API_SYNC_READ_AHEAD_SECONDS = 0
    plain = client.get("enrollments/", {"page_size": 2, "cursor": first.json()["cursor"]})
    assert second.content == plain.content


@pytest.mark.parametrize("kept", [True, False], ids=["kept in the process", "shared cache only"])
def test_a_change_between_two_pages_shows_as_with_the_shared_cache_alone(
    world, api, course, monkeypatch, in_line, from_process, kept
):
    if not kept:
        monkeypatch.setattr(read_ahead, "_KEPT_PAGES", 0)
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _enroll(world, course, 7)
        client = api(world.a, scopes=["learning:read"])
        first = client.get("enrollments/", {"page_size": 2}).json()
        # Pages 2 and 3 are read ahead; then a row of page 2 changes before the client asks
        # for it (page 4 is read after the change).
        changed = Enrollment.objects.order_by("updated_at", "id")[2]
        clock.shift(datetime.timedelta(seconds=1))  # within the cache's time for the page
        learning.enrollment_visit(enrollment=changed, lesson_key="what-is-ai")
        rows, params = first["results"], {"page_size": 2, "cursor": first["cursor"]}
        while True:
            body = client.get("enrollments/", params).json()
            rows += body["results"]
            if body["next"] is None:
                break
            params = {"page_size": 2, "cursor": body["cursor"]}
    # As read ahead: in page 2 as it was, then again at the end with its new time.
    ids = [row["id"] for row in rows]
    assert ids.count(changed.pk) == 2 and ids[-1] == changed.pk and ids[2] == changed.pk
    assert rows[2]["updated_at"] < rows[-1]["updated_at"]
    assert from_process[0] is kept


def test_a_process_keeps_at_most_two_pages_and_drops_them_after_a_while(
    world, api, course, monkeypatch, in_line, from_process
):
    monkeypatch.setattr(read_ahead, "_KEPT_SECONDS", 0.3)
    _enroll(world, course, 7)
    mine = api(world.a, scopes=["learning:read"])
    first = mine.get("enrollments/", {"page_size": 1}).json()
    assert len(read_ahead._kept) == 2  # two pages ahead
    mine.get("learning-events/", {"page_size": 1})
    assert len(read_ahead._kept) == 2
    deadline = time.monotonic() + 10
    while len(read_ahead._kept) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(read_ahead._kept) == 0
    # Still in the shared cache: the request takes it there.
    second = mine.get("enrollments/", {"page_size": 1, "cursor": first["cursor"]}).json()
    assert len(second["results"]) == 1 and in_line == [True] and from_process == [False]
