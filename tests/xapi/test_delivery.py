"""Delivery against a fake LRS in-process: batches, backoff while down, bisecting a refused
batch, 409 as delivered, resend after a fix; the beat task fans out per agency."""

import datetime
import json

import pytest
from django.utils import timezone

from learning import services as learning
from tests.builders import finish_course
from xapi import services
from xapi.models import LrsConfig, OutboxStatement, Outcome
from xapi.tasks import xapi_dispatch_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def whole_course(world, course, lrs_a):
    """Agency A's learner finishes the course: 10 statements waiting."""
    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    assert OutboxStatement.objects.filter(status=Outcome.WAITING).count() == 10
    return list(OutboxStatement.objects.order_by("created_at", "id"))


def test_statements_go_in_batches_in_order_with_the_xapi_headers(world, whole_course, fake_lrs):
    totals = services.outbox_deliver(agency_id=world.a.pk, batch_size=4)
    assert totals == {"sent": 10, "failed": 0, "down": ""}
    assert len(fake_lrs.requests) == 3  # 4 + 4 + 2
    request = fake_lrs.requests[0]
    assert request["path"] == "/xAPI/statements"
    assert request["headers"]["x-experience-api-version"] == "1.0.3"
    assert request["headers"]["authorization"].startswith("Basic ")
    assert fake_lrs.order == [str(row.statement_id) for row in whole_course]
    # The bytes sent are the frozen bodies, unchanged.
    first_batch = json.loads(request["body"])
    assert [json.dumps(s, separators=(",", ":"), sort_keys=True) for s in first_batch] == [
        row.body for row in whole_course[:4]
    ]
    assert not OutboxStatement.objects.exclude(status=Outcome.SENT).exists()


def test_a_down_lrs_keeps_everything_waiting_and_backs_off(world, whole_course, fake_lrs):
    fake_lrs.down = True
    totals = services.outbox_deliver(agency_id=world.a.pk, batch_size=4)
    assert totals["sent"] == 0 and "503" in totals["down"]
    config = LrsConfig.objects.get(agency=world.a)
    assert config.failures == 1 and config.retry_at > timezone.now()
    assert OutboxStatement.objects.filter(status=Outcome.WAITING).count() == 10
    assert services.agencies_due() == []  # backing off
    assert services.agencies_due(now=timezone.now() + datetime.timedelta(minutes=1)) == [world.a.pk]
    services.outbox_deliver(agency_id=world.a.pk)
    assert LrsConfig.objects.get(agency=world.a).failures == 2
    assert services.backoff(2) == datetime.timedelta(seconds=60)
    assert services.backoff(30) == datetime.timedelta(seconds=3600)

    fake_lrs.down = False
    assert services.outbox_deliver(agency_id=world.a.pk)["sent"] == 10
    config.refresh_from_db()
    assert (config.failures, config.retry_at, config.last_error) == (0, None, "")
    assert len(fake_lrs.stored) == 10


def test_an_unreachable_lrs_is_down_not_a_refusal(world, whole_course):
    LrsConfig.objects.filter(agency=world.a).update(endpoint="http://127.0.0.1:9/xAPI/")
    totals = services.outbox_deliver(agency_id=world.a.pk)
    assert totals["sent"] == 0 and totals["down"]
    assert not OutboxStatement.objects.filter(status=Outcome.FAILED).exists()


def test_refused_credentials_back_off_instead_of_failing_statements(world, whole_course, fake_lrs):
    fake_lrs.status_override = 401
    assert "401" in services.outbox_deliver(agency_id=world.a.pk)["down"]
    assert len(fake_lrs.requests) == 1  # no bisecting on a credentials problem
    assert not OutboxStatement.objects.filter(status=Outcome.FAILED).exists()


def test_a_refused_batch_is_split_to_find_the_statement_at_fault(world, whole_course, fake_lrs):
    bad = whole_course[5]
    fake_lrs.refuse_ids = {str(bad.statement_id)}
    totals = services.outbox_deliver(agency_id=world.a.pk, batch_size=8)
    assert totals == {"sent": 9, "failed": 1, "down": ""}
    bad.refresh_from_db()
    assert bad.status == Outcome.FAILED and "400" in bad.error and "invalid statement" in bad.error
    assert len(fake_lrs.stored) == 9 and str(bad.statement_id) not in fake_lrs.stored
    # 8 refused -> 4 ok + 4 refused -> 2 ok + 2 refused -> 1 ok + 1 refused; then the last 2.
    assert len(fake_lrs.requests) == 1 + 2 + 2 + 2 + 1

    # The admin fixes the cause and resends: it goes through, under the same id and bytes.
    fake_lrs.refuse_ids = set()
    assert services.outbox_resend_failed(actor=world.a_admin, agency=world.a) == 1
    assert services.outbox_deliver(agency_id=world.a.pk)["sent"] == 1
    assert fake_lrs.order[-1] == str(bad.statement_id)
    assert json.loads(fake_lrs.requests[-1]["body"])[0] == json.loads(bad.body)


def test_statements_the_lrs_already_has_count_as_delivered(world, whole_course, fake_lrs):
    services.outbox_deliver(agency_id=world.a.pk, batch_size=4)
    # A worker that died after the LRS stored a batch sends it again: 204, delivered once.
    OutboxStatement.objects.update(status=Outcome.WAITING)
    assert services.outbox_deliver(agency_id=world.a.pk)["sent"] == 10
    assert len(fake_lrs.stored) == 10
    # An LRS that answers 409 for an id it has: delivered too, not failed.
    OutboxStatement.objects.filter(pk=whole_course[0].pk).update(status=Outcome.WAITING)
    fake_lrs.status_override = 409
    assert services.outbox_deliver(agency_id=world.a.pk) == {"sent": 1, "failed": 0, "down": ""}


def test_the_beat_task_sends_each_agency_with_statements_waiting(world, whole_course, fake_lrs):
    assert xapi_dispatch_task.delay().get() == 1
    assert len(fake_lrs.stored) == 10
    assert xapi_dispatch_task.delay().get() == 0


def test_a_disabled_lrs_gets_nothing_more(world, course, whole_course, fake_lrs, lrs_a):
    from .conftest import configure

    configure(world, world.a, world.a_admin, endpoint=fake_lrs.endpoint, enabled=False)
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    assert OutboxStatement.objects.count() == 10
    assert services.outbox_deliver(agency_id=world.a.pk)["sent"] == 0


def test_each_agency_sends_only_its_own_statements_to_its_own_lrs(
    world, course, lrs_a, fake_lrs, django_capture_on_commit_callbacks
):
    from tests.builders import simple_course

    from .conftest import FakeLrs, configure

    lrs_b = FakeLrs()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            configure(world, world.b, world.b_admin, endpoint=lrs_b.endpoint, version="2.0.0")
        b_course = simple_course(world.b_admin, world.b, slug="b-course", title="B course")
        learning.enrollment_create(user=world.a_learner, course=course)
        learning.enrollment_create(user=world.b_learner, course=b_course)
        services.outbox_deliver(agency_id=world.a.pk)
        services.outbox_deliver(agency_id=world.b.pk)
        a_ids = {
            str(i)
            for i in OutboxStatement.objects.filter(agency=world.a).values_list(
                "statement_id", flat=True
            )
        }
        b_ids = {
            str(i)
            for i in OutboxStatement.objects.filter(agency=world.b).values_list(
                "statement_id", flat=True
            )
        }
        assert set(fake_lrs.stored) == a_ids and set(lrs_b.stored) == b_ids
        assert a_ids and b_ids and not a_ids & b_ids
        assert "/b-course" in json.dumps(list(lrs_b.stored.values()))
        assert "/intro-ai" not in json.dumps(list(lrs_b.stored.values()))
        # Each LRS is spoken to in its own configured version.
        assert fake_lrs.requests[0]["headers"]["x-experience-api-version"] == "1.0.3"
        assert lrs_b.requests[0]["headers"]["x-experience-api-version"] == "2.0.0"
        # The same person would have a different opaque id in each agency's LRS.
        from xapi.statements import actor_name

        b_salt = LrsConfig.objects.get(agency=world.b).actor_salt
        assert actor_name(lrs_a.actor_salt, 1) != actor_name(b_salt, 1)
    finally:
        lrs_b.close()


def test_sent_statements_are_purged_after_the_retention_period(world, whole_course, fake_lrs):
    from xapi.tasks import xapi_purge_task

    services.outbox_deliver(agency_id=world.a.pk, batch_size=4)
    OutboxStatement.objects.filter(pk=whole_course[0].pk).update(status=Outcome.FAILED)
    OutboxStatement.objects.filter(pk=whole_course[1].pk).update(status=Outcome.WAITING)
    assert xapi_purge_task.delay().get() == 0  # sent just now
    later = timezone.now() + datetime.timedelta(days=31)
    assert services.outbox_purge_sent(now=later) == 8
    assert set(OutboxStatement.objects.values_list("status", flat=True)) == {
        Outcome.FAILED,
        Outcome.WAITING,
    }
