"""academy.prepared runs a queryset's SQL compiled once and returns what the queryset returns."""

import datetime

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.prepared import PreparedQueryError, prepared
from learning import services
from learning.models import Enrollment
from tests.builders import build_course

pytestmark = pytest.mark.django_db


@prepared(user_id=int, slug=str)
def enrollment_rows(user_id, slug):
    return Enrollment.objects.filter(user_id=user_id, course__slug=slug).values(
        "pk", "status", "started_at", "due_on", course_title=F("course__title")
    )


@prepared(agency_id=int, since=datetime.datetime, due=datetime.date)
def statuses(agency_id, since, due):
    return (
        Enrollment.objects.filter(agency_id=agency_id, created_at__gte=since)
        .exclude(due_on__gt=due)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )


@prepared(user_id=int)
def course_ids(user_id):
    return (
        Enrollment.objects.filter(user_id=user_id)
        .order_by("pk")
        .values_list("course_id", flat=True)
    )


@pytest.fixture
def two_enrollments(world):
    first = build_course(world.a_admin, world.a, slug="first", title="First", publish=True)
    second = build_course(world.a_admin, world.a, slug="second", title="Second", publish=True)
    other = build_course(world.b_admin, world.b, slug="other", title="Other", publish=True)
    return [
        services.enrollment_create(user=world.a_learner, course=first),
        services.enrollment_create(user=world.a_learner, course=second),
        services.enrollment_create(user=world.b_learner, course=other),
    ]


def test_values_rows_match_the_orm_for_each_set_of_arguments(world, two_enrollments):
    for user, slug in (
        (world.a_learner, "first"),
        (world.a_learner, "second"),
        (world.b_learner, "other"),
    ):
        orm = list(enrollment_rows.__wrapped__(user_id=user.pk, slug=slug))
        assert enrollment_rows(user_id=user.pk, slug=slug) == orm and len(orm) == 1
    assert enrollment_rows(user_id=world.b_learner.pk, slug="first") == []


def test_dates_and_aggregates_match_the_orm(world, two_enrollments):
    now = timezone.now()
    for since, due in (
        (now - datetime.timedelta(days=1), datetime.date(2100, 1, 1)),
        (now + datetime.timedelta(days=1), datetime.date(2100, 1, 1)),
    ):
        arguments = {"agency_id": world.a.pk, "since": since, "due": due}
        assert statuses(**arguments) == list(statuses.__wrapped__(**arguments))
    yesterday, far = now - datetime.timedelta(days=1), datetime.date(2100, 1, 1)
    assert statuses(agency_id=world.a.pk, since=yesterday, due=far) == [
        (two_enrollments[0].status, 2)
    ]
    assert statuses(agency_id=world.a.pk, since=now + datetime.timedelta(days=1), due=far) == []


def test_flat_values_and_one_query_per_call(world, two_enrollments, django_assert_num_queries):
    course_ids(user_id=world.a_learner.pk)
    with django_assert_num_queries(1):
        ids = course_ids(user_id=world.a_learner.pk)
    assert ids == [e.course_id for e in two_enrollments[:2]]


def test_the_sql_is_compiled_once(world, two_enrollments, monkeypatch):
    course_ids(user_id=world.a_learner.pk)
    from django.db.models.sql import compiler

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(compiler.SQLCompiler, "as_sql", no_compiling)
    assert course_ids(user_id=world.b_learner.pk) == [two_enrollments[2].course_id]


def test_an_argument_the_sql_does_not_carry_is_refused(world):
    @prepared(user_id=int, slug=str)
    def ignores_slug(user_id, slug):
        return Enrollment.objects.filter(user_id=user_id).values("pk")

    with pytest.raises(PreparedQueryError, match="slug"):
        ignores_slug(user_id=world.a_learner.pk, slug="x")


def test_model_instances_and_flags_are_refused(world):
    @prepared(user_id=int)
    def instances(user_id):
        return Enrollment.objects.filter(user_id=user_id)

    with pytest.raises(PreparedQueryError):
        instances(user_id=1)
    with pytest.raises(PreparedQueryError):
        prepared(flag=bool)
    with pytest.raises(TypeError):
        course_ids(user_id=1, extra=2)


on_postgresql = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="server-side prepared statements are PostgreSQL's",
)


@prepared(user_id=int, label=str)
def labelled_rows(user_id, label):
    label = Coalesce(Value(label, output_field=CharField()), F("course__title"))
    return Enrollment.objects.filter(user_id=user_id).order_by("pk").values("pk", shown=label)


def server_statements(table: str) -> list[tuple]:
    """This connection's server-side prepared statements reading `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text, generic_plans + custom_plans"
            " FROM pg_prepared_statements WHERE statement LIKE %s",
            [f'%"{table}"%'],
        )
        return cursor.fetchall()


@on_postgresql
def test_one_prepared_statement_serves_every_int_value(world, two_enrollments):
    users = [world.a_learner.pk, world.b_learner.pk, 7, 70_000, 2**40]
    for user_id in users:
        assert course_ids(user_id=user_id) == list(course_ids.__wrapped__(user_id=user_id))
    # one statement, its parameter a bigint whatever the value's size, run once per call
    assert server_statements("learning_enrollment") == [("{bigint}", len(users))]


@on_postgresql
def test_prepared_statements_are_counted_and_logged(world, two_enrollments):
    with CaptureQueriesContext(connection) as captured:
        ids = course_ids(user_id=world.a_learner.pk)
    assert ids == [e.course_id for e in two_enrollments[:2]]
    assert len(captured) == 1 and '"learning_enrollment"' in captured[0]["sql"]


@on_postgresql
def test_none_and_strings_give_what_the_orm_gives(world, two_enrollments):
    for user, label in ((world.a_learner, None), (world.a_learner, "x"), (world.b_learner, None)):
        orm = list(labelled_rows.__wrapped__(user_id=user.pk, label=label))
        assert labelled_rows(user_id=user.pk, label=label) == orm and orm
    assert [row["shown"] for row in labelled_rows(user_id=world.a_learner.pk, label=None)] == [
        "First",
        "Second",
    ]


@on_postgresql
def test_switched_off_nothing_is_prepared_on_the_server(world, two_enrollments, settings):
    settings.ACADEMY_PREPARED_STATEMENTS = False
    assert course_ids(user_id=world.b_learner.pk) == [two_enrollments[2].course_id]
    assert server_statements("learning_enrollment") == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_or_a_failed_transaction_prepares_again(world, two_enrollments):
    expected = [e.course_id for e in two_enrollments[:2]]
    assert course_ids(user_id=world.a_learner.pk) == expected
    connection.close()  # CONN_MAX_AGE reached, a failed health check, a database restart
    assert course_ids(user_id=world.a_learner.pk) == expected
    assert server_statements("learning_enrollment") == [("{bigint}", 1)]

    with pytest.raises(DatabaseError), transaction.atomic():
        assert course_ids(user_id=world.a_learner.pk) == expected
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
    assert course_ids(user_id=world.a_learner.pk) == expected
    assert course_ids(user_id=world.b_learner.pk) == [two_enrollments[2].course_id]
