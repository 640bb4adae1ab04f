"""/api/v1/enrollments/: the agency's enrollments and completions, filtered, and paged by a
keyset cursor on (updated_at, id) so an integrator syncs incrementally without gaps or
repeats."""

import datetime

import pytest
import time_machine

from learning import services as learning
from tests.builders import build_course
from tests.factories import UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def _member(world, n, unit):
    from agencies.services import membership_create

    user = UserFactory(email=f"p{n}@a.gov")
    membership_create(user=user, agency=world.a, unit=unit)
    return user


def _sync(client, cursor=None, page_size=3, **filters):
    """Every page from `cursor` on: (ids in order, the cursor to come back with)."""
    ids = []
    while True:
        params = {"page_size": page_size, **filters, **({"cursor": cursor} if cursor else {})}
        response = client.get("enrollments/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        cursor = body["cursor"]
        if body["next"] is None:
            return ids, cursor


def test_lists_the_agencys_enrollments_only_and_filters(world, api, course):
    mine = learning.enrollment_create(user=world.a_learner, course=course)
    ops = learning.enrollment_create(user=world.a_ops_learner, course=course)
    client = api(world.a, scopes=["learning:read"])
    rows = client.get("enrollments/").json()["results"]
    assert {r["id"] for r in rows} == {mine.pk, ops.pk}
    row = next(r for r in rows if r["id"] == mine.pk)
    assert row["email"] == "learner@a.gov" and row["course"]["slug"] == course.slug
    assert row["status"] == "not_started" and row["unit"] == world.data.pk
    by_unit = client.get("enrollments/", {"unit": world.digital.pk}).json()["results"]
    assert [r["id"] for r in by_unit] == [mine.pk]
    assert client.get("enrollments/", {"status": "completed"}).json()["results"] == []
    assert len(client.get("enrollments/", {"course": course.pk}).json()["results"]) == 2
    other = api(world.b, scopes=["learning:read"])
    assert other.get("enrollments/").json()["results"] == []
    assert other.get(f"enrollments/{mine.pk}/").status_code == 404
    assert other.get("enrollments/", {"course": course.pk}).json()["results"] == []


def test_enrollments_need_learning_read(world, api, course):
    learning.enrollment_create(user=world.a_learner, course=course)
    assert api(world.a, scopes=["people:read"]).get("enrollments/").status_code == 403


def test_incremental_sync_sees_every_change_once(world, api, course):
    with time_machine.travel(START, tick=False) as clock:
        people = [_member(world, n, world.ops) for n in range(7)]
        enrollments = []
        for user in people:
            clock.shift(datetime.timedelta(seconds=1))
            enrollments.append(learning.enrollment_create(user=user, course=course))
        client = api(world.a, scopes=["learning:read"])
        # A first sync, interrupted after two pages; meanwhile rows already read and rows not
        # yet read change.
        first = client.get("enrollments/", {"page_size": 3}).json()
        second = client.get("enrollments/", {"page_size": 3, "cursor": first["cursor"]}).json()
        read = [r["id"] for r in first["results"] + second["results"]]
        assert read == [e.pk for e in enrollments[:6]]
        clock.shift(datetime.timedelta(minutes=1))
        learning.enrollment_visit(enrollment=enrollments[1], lesson_key="what-is-ai")
        clock.shift(datetime.timedelta(seconds=1))
        learning.enrollment_visit(enrollment=enrollments[6], lesson_key="what-is-ai")
        clock.shift(datetime.timedelta(seconds=1))
        late = learning.enrollment_create(user=world.a_learner, course=course)
        rest, cursor = _sync(client, cursor=second["cursor"])
        # Each change in the order it happened (the unread row that changed comes once, at its
        # new place); nothing skipped, nothing twice.
        assert rest == [enrollments[1].pk, enrollments[6].pk, late.pk]
        # Nothing changed since: the stored cursor gives nothing.
        assert _sync(client, cursor=cursor) == ([], cursor)
        clock.shift(datetime.timedelta(seconds=1))
        learning.enrollment_visit(enrollment=enrollments[3], lesson_key="what-is-ai")
        changed, _cursor = _sync(client, cursor=cursor)
        assert changed == [enrollments[3].pk]


def test_rows_changed_in_the_same_instant_are_neither_skipped_nor_repeated(world, api, course):
    with time_machine.travel(START, tick=False):
        people = [_member(world, n, world.ops) for n in range(8)]
        ids = sorted(learning.enrollment_create(user=u, course=course).pk for u in people)
        client = api(world.a, scopes=["learning:read"])
        assert _sync(client, page_size=3)[0] == ids


def test_updated_since_and_a_bad_cursor(world, api, course):
    with time_machine.travel(START, tick=False) as clock:
        old = learning.enrollment_create(user=world.a_learner, course=course)
        clock.shift(datetime.timedelta(hours=1))
        new = learning.enrollment_create(user=world.a_ops_learner, course=course)
        client = api(world.a, scopes=["learning:read"])
        since = (START + datetime.timedelta(minutes=30)).isoformat()
        rows = client.get("enrollments/", {"updated_since": since}).json()["results"]
        assert [r["id"] for r in rows] == [new.pk]
        assert old.pk not in [r["id"] for r in rows]
        response = client.get("enrollments/", {"cursor": "bm90IGEgY3Vyc29y"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "cursor"


def test_an_enrollment_page_reads_a_bounded_number_of_queries(
    world, api, course, django_assert_num_queries
):
    for n in range(6):
        learning.enrollment_create(user=_member(world, n, world.ops), course=course)
    client = api(world.a, scopes=["learning:read"])
    client.get("enrollments/")
    # Token, client (with agency and creator), the creator's placement is cached, the page.
    with django_assert_num_queries(3):
        client.get("enrollments/")


def test_a_change_shows_once_the_settle_window_has_passed(world, api, course, settings):
    settings.API_SYNC_SETTLE_SECONDS = 5
    with time_machine.travel(START, tick=False) as clock:
        client = api(world.a, scopes=["learning:read"])
        _ids, cursor = _sync(client)
        enrollment = learning.enrollment_create(user=world.a_learner, course=course)
        clock.shift(datetime.timedelta(seconds=4))
        assert _sync(client, cursor=cursor)[0] == []
        clock.shift(datetime.timedelta(seconds=1))
        assert _sync(client, cursor=cursor)[0] == [enrollment.pk]


def test_the_feed_rows_are_exactly_what_the_serializer_says(world, api, course):
    """The list builds its rows from values() (api.serializers.enrollment_rows); each must be
    the EnrollmentSerializer's representation, field for field, whatever is empty or set."""
    from api.serializers import EnrollmentSerializer
    from learning.models import Enrollment
    from learning.services import HistoryRow, completions_import
    from tests.builders import finish_course

    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    completions_import(
        actor=world.a_admin,
        agency=world.a,
        rows=[
            HistoryRow(
                line=2,
                email=world.a_manager.email,
                course=course.slug,
                completed_on=datetime.date(2025, 5, 1),
                score=77,
            )
        ],
    )
    listed = api(world.a, scopes=["learning:read"]).get("enrollments/", {"page_size": 50})
    listed = listed.json()["results"]
    expected = EnrollmentSerializer(
        Enrollment.objects.filter(agency=world.a).select_related("user", "course"), many=True
    ).data
    assert len(listed) == 3
    assert sorted(listed, key=lambda row: row["id"]) == sorted(
        (dict(row) for row in expected), key=lambda row: row["id"]
    )
    assert {row["imported"] for row in listed} == {True, False}
