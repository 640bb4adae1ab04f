"""/api/v1/learning-events/: the agency's learning events as a cursor feed (learning:read),
in a stable order with no gaps or repeats, nothing of another agency."""

import datetime

import pytest
import time_machine

from learning import services as learning
from learning.models import LearningEvent
from tests.builders import build_course, finish_course
from tests.factories import UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
READ = ["learning:read"]


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def _feed(client, cursor=None, page_size=2, **filters):
    ids = []
    while True:
        params = {"page_size": page_size, **filters, **({"cursor": cursor} if cursor else {})}
        response = client.get("learning-events/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        cursor = body["cursor"]
        if body["next"] is None:
            return ids, cursor


def test_the_feed_gives_every_event_once_in_order_across_syncs(world, api, course):
    from agencies.services import membership_create

    with time_machine.travel(START, tick=False) as clock:
        client = api(world.a, scopes=READ)
        people = []
        for n in range(4):
            user = UserFactory(email=f"p{n}@a.gov")
            membership_create(user=user, agency=world.a, unit=world.ops)
            people.append(user)
        # Several events share an instant: the id breaks the tie.
        for user in people[:3]:
            learning.enrollment_create(user=user, course=course)
        first, cursor = _feed(client)
        assert first == list(
            LearningEvent.objects.filter(agency=world.a)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
        )
        clock.shift(datetime.timedelta(seconds=1))
        finish_course(learning.enrollment_create(user=people[3], course=course))
        later, cursor = _feed(client, cursor=cursor)
        expected = list(
            LearningEvent.objects.filter(agency=world.a)
            .exclude(pk__in=first)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
        )
        assert later == expected and len(later) >= 3  # enrolled, lessons, completed, ...
        assert not set(first) & set(later)
        assert _feed(client, cursor=cursor)[0] == []
        row = client.get(f"learning-events/{later[-1]}/").json()
        assert row["person"] == people[3].pk and row["course"] == course.pk


def test_filters_and_another_agency(world, api, course):
    learning.enrollment_create(user=world.a_learner, course=course)
    client = api(world.a, scopes=READ)
    rows = client.get("learning-events/", {"verb": "enrolled"}).json()["results"]
    assert [(r["person"], r["verb"]) for r in rows] == [(world.a_learner.pk, "enrolled")]
    assert client.get("learning-events/", {"person": world.b_learner.pk}).json()["results"] == []
    other = api(world.b, scopes=READ)
    assert other.get("learning-events/").json()["results"] == []
    assert other.get(f"learning-events/{rows[0]['id']}/").status_code == 404
    assert other.get("learning-events/", {"course": course.pk}).json()["results"] == []
    assert api(world.a, scopes=["people:read"]).get("learning-events/").status_code == 403
    bad = client.get("learning-events/", {"verb": "danced"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "verb"


def test_an_event_shows_once_the_settle_window_has_passed(world, api, course, settings):
    settings.API_SYNC_SETTLE_SECONDS = 5
    with time_machine.travel(START, tick=False) as clock:
        client = api(world.a, scopes=READ)
        _ids, cursor = _feed(client)
        learning.enrollment_create(user=world.a_learner, course=course)
        clock.shift(datetime.timedelta(seconds=4))
        assert _feed(client, cursor=cursor)[0] == []
        clock.shift(datetime.timedelta(seconds=1))
        assert len(_feed(client, cursor=cursor)[0]) == 1


def test_the_feed_is_byte_for_byte_what_drf_would_write(world, api, course):
    """The feed reads tuples (api.serializers.learning_event_rows) and writes them with orjson:
    exactly DRF's JSONRenderer over the LearningEventSerializer's representation."""
    from rest_framework.renderers import JSONRenderer

    from api.serializers import LearningEventSerializer

    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    response = api(world.a, scopes=READ).get("learning-events/", {"page_size": 100})
    events = LearningEvent.objects.filter(agency=world.a).order_by("created_at", "id")
    assert events.count() >= 4 and any(event.result for event in events)
    body = {
        "next": None,
        "cursor": response.json()["cursor"],
        "results": LearningEventSerializer(events, many=True).data,
    }
    assert response.content == JSONRenderer().render(body)
