"""/api/v1/enrollments/: the agency's enrollments and completions, filtered, and paged by a
keyset cursor on (updated_at, id) so an integrator syncs incrementally without gaps or
repeats."""

import datetime

import pytest
import time_machine

from learning import services as learning
from tests.builders import build_course, finish_course
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
    # The token with its client, agency and creator (one query, api.authentication), the
    # creator's placement is cached, the page, the page's courses (one query, however many
    # rows and courses).
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


def test_the_feed_is_byte_for_byte_what_drf_would_write(world, api, course):
    """The list reads tuples (api.serializers.enrollment_rows, the courses from a map) and
    writes them with orjson (api.renderers.FastJSONRenderer): the body must be exactly DRF's
    JSONRenderer over the EnrollmentSerializer's representation, whatever is empty or set."""
    from rest_framework.renderers import JSONRenderer

    from api.serializers import EnrollmentSerializer
    from learning.models import Enrollment
    from learning.services import HistoryRow, completions_import

    # A second course (two entries in the page's course map), whose title needs escaping.
    other_course = build_course(
        world.a_trainer,
        world.a,
        slug="open-data",
        title="Données « ouvertes »\u2028et IA",
        publish=True,
    )
    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    learning.enrollment_create(user=world.a_learner, course=other_course)
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
    response = api(world.a, scopes=["learning:read"]).get("enrollments/", {"page_size": 50})
    expected = EnrollmentSerializer(
        Enrollment.objects.filter(agency=world.a)
        .select_related("user", "course")
        .order_by("updated_at", "id"),
        many=True,
    ).data
    body = {"next": None, "cursor": response.json()["cursor"], "results": expected}
    assert response.content == JSONRenderer().render(body)
    assert response["Content-Type"] == "application/json"
    listed = response.json()["results"]
    assert len(listed) == 4 and {row["imported"] for row in listed} == {True, False}
    assert {row["course"]["title"] for row in listed} == {course.title, other_course.title}
    assert b"\\u2028" in response.content


def test_the_sync_feeds_take_larger_pages_than_other_lists(world, api, course, settings):
    settings.API_PAGE_SIZE_MAX, settings.API_SYNC_PAGE_SIZE_MAX = 1, 3
    for n in range(4):
        learning.enrollment_create(user=_member(world, n, world.ops), course=course)
    client = api(world.a, scopes=["learning:read", "people:read"])
    assert len(client.get("enrollments/", {"page_size": 50}).json()["results"]) == 3
    assert len(client.get("learning-events/", {"page_size": 50}).json()["results"]) == 3
    assert len(client.get("people/", {"page_size": 50}).json()["results"]) == 1


def test_a_page_on_postgresql_reads_times_natively_and_gives_django_its_loader_back(
    world, api, course
):
    """On PostgreSQL a text page's times are read by psycopg's C loader (api.pagination); the
    values are Django's, and the connection's loader is Django's again afterwards."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from psycopg.pq import Format

    from learning.models import Enrollment

    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    before = adapters.get_loader(oid, Format.TEXT)
    client = api(world.a, scopes=["learning:read"])
    # The learning events feed reads text with the C loader, the enrollments feed binary.
    assert client.get("learning-events/").json()["results"]
    assert adapters.get_loader(oid, Format.TEXT) is before
    rows = client.get("enrollments/").json()["results"]
    assert adapters.get_loader(oid, Format.TEXT) is before
    enrollment = Enrollment.objects.get(pk=rows[0]["id"])
    assert rows[0]["completed_at"] == enrollment.completed_at.isoformat().replace("+00:00", "Z")
    assert rows[0]["updated_at"] == enrollment.updated_at.isoformat().replace("+00:00", "Z")


def test_on_postgresql_the_page_is_read_in_binary_and_the_connection_left_as_it_was(
    world, api, course
):
    """The enrollments feed's page query gets binary results (api.pagination._binary_rows),
    its other queries and every later one on the connection text, as Django's cursors do; the
    values read are Django's (test_the_feed_is_byte_for_byte_what_drf_would_write)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from psycopg.pq import Format

    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    client = api(world.a, scopes=["learning:read"])
    factory = connection.connection.cursor_factory
    formats = []

    def spy(execute, sql, params, many, context):
        formats.append((context["cursor"].cursor.format, sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        rows = client.get("enrollments/", {"page_size": 1}).json()["results"]
    binary = [sql for fmt, sql in formats if fmt == Format.BINARY]
    assert len(rows) == 1 and len(binary) == 1 and '"learning_enrollment"' in binary[0]
    assert len(formats) > 1 and connection.connection.cursor_factory is factory
    with connection.cursor() as cursor:
        assert cursor.cursor.format == Format.TEXT
