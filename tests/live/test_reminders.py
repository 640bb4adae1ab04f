"""Reminders 24 hours and 1 hour before a session, through reminders' exactly-once log."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Agency, Role
from live import services
from live.models import Registration
from live.services.reminders import session_reminders_prepare, session_reminders_record
from live.tasks import session_reminders_task
from reminders import services as reminder_services
from reminders.models import LogStatus, ReminderLog
from tests.builders import make_member

from .conftest import schedule


def reminders_in(outbox):
    return [m for m in outbox if "X-Academy-Reminder" in m.extra_headers]


@pytest.fixture
def run(django_capture_on_commit_callbacks, mailoutbox):
    """Run the beat task (and the sending tasks it enqueues); return the reminders sent."""

    def do():
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            session_reminders_task()
        return reminders_in(mailoutbox[before:])

    return do


@pytest.fixture
def soon(world):
    """A session of agency A starting in 23 hours, the learner holding a seat."""
    session = schedule(world.a_trainer, days=23 / 24, capacity=1)
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)  # waiting
    return session


def test_a_seat_holder_gets_the_24_hour_reminder_once(world, soon, run):
    sent = run() + run()
    assert [m.to for m in sent] == [["learner@a.gov"]]  # not the person waiting
    assert sent[0].subject == f"Tomorrow: {soon.title}"
    assert "starts in 24 hours" in sent[0].body
    assert f"/live/{soon.pk}/" in sent[0].body
    log = ReminderLog.objects.get()
    assert (log.kind, log.object_id, log.status) == ("session_day", soon.pk, LogStatus.SENT)
    assert sent[0].extra_headers["Message-ID"] == reminder_services.messages.reminder_message_id(
        log
    )


def test_the_hour_reminder_links_to_the_page_until_the_join_link_opens(world, soon, run, settings):
    settings.LIVE_JOIN_OPENS_MINUTES = 15
    run()
    with time_machine.travel(soon.starts_at - timedelta(minutes=55), tick=False):
        sent = run() + run()
    assert [m.subject for m in sent] == [f"In 1 hour: {soon.title}"]
    assert soon.join_url not in sent[0].body
    assert f"/live/{soon.pk}/" in sent[0].body
    assert "The join link appears on the session page from" in sent[0].body
    assert sorted(ReminderLog.objects.values_list("kind", flat=True)) == [
        "session_day",
        "session_hour",
    ]


def test_the_hour_reminder_carries_the_join_link_once_it_is_open(world, soon, run, settings):
    settings.LIVE_JOIN_OPENS_MINUTES = 60
    with time_machine.travel(soon.starts_at - timedelta(minutes=59), tick=False):
        sent = run()
    assert f"Join: {soon.join_url}" in sent[0].body


def test_a_late_look_sends_only_the_hour_reminder(world, soon, run):
    with time_machine.travel(soon.starts_at - timedelta(minutes=30), tick=False):
        sent = run()
    assert [m.subject for m in sent] == [f"In 1 hour: {soon.title}"]
    assert list(ReminderLog.objects.values_list("kind", flat=True)) == ["session_hour"]


def test_nothing_is_owed_more_than_a_day_before(world, run):
    session = schedule(world.a_trainer, days=2)
    services.registration_create(actor=world.a_learner, session=session)
    assert run() == []
    assert not ReminderLog.objects.exists()


def test_a_place_cancelled_before_sending_is_skipped(
    world, soon, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ids = session_reminders_record()
    services.registration_cancel(
        actor=world.a_learner, registration=Registration.objects.get(user=world.a_learner)
    )
    result = reminder_services.reminders_send(log_ids=ids)
    assert result.sent == [] and result.skipped == ids
    assert ReminderLog.objects.get().last_error == "no seat any more"


def test_a_moved_session_owes_its_reminders_again(world, soon, run):
    run()
    later = soon.starts_at + timedelta(hours=2)
    services.session_update(
        actor=world.a_trainer, session=soon, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    assert run() == []  # 25 hours away now
    with time_machine.travel(later - timedelta(hours=23), tick=False):
        sent = run()
    assert [m.to for m in sent] == [["learner@a.gov"]]
    assert ReminderLog.objects.filter(kind="session_day").count() == 2


def test_a_reminder_of_the_old_time_is_skipped(world, soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ids = session_reminders_record()
    later = soon.starts_at + timedelta(hours=2)
    services.session_update(
        actor=world.a_trainer, session=soon, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    result = reminder_services.reminders_send(log_ids=ids)
    assert result.skipped == ids
    assert ReminderLog.objects.get(pk=ids[0]).last_error == "session moved"


def test_the_reminder_speaks_the_agency_language_and_time_zone(world, run):
    Agency.objects.filter(pk=world.a.pk).update(default_language="fr", time_zone="Europe/Paris")
    session = schedule(world.a_trainer, days=23 / 24)
    services.registration_create(actor=world.a_learner, session=session)
    sent = run()
    assert sent[0].subject == f"Demain\u00a0: {session.title}"
    local = timezone.localtime(session.starts_at, timezone=_zone("Europe/Paris"))
    assert f"{local:%H:%M}" in sent[0].body
    assert "(Europe/Paris)" in sent[0].body


def _zone(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_recording_and_preparing_take_a_bounded_number_of_queries(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    sessions = [schedule(world.a_trainer, days=20 / 24, capacity=30) for _ in range(3)]
    for index in range(12):
        person = make_member(world.a, Role.LEARNER, world.data, email=f"p{index}@a.gov")
        for session in sessions:
            services.registration_create(actor=person, session=session)
    with django_assert_num_queries(7), django_capture_on_commit_callbacks(execute=False):
        ids = session_reminders_record()
    assert len(ids) == 36
    logs = list(ReminderLog.objects.select_related("agency", "recipient"))
    with django_assert_num_queries(2):
        prepared = session_reminders_prepare(logs, timezone.now())
    assert all(not isinstance(p, str) for p in prepared.values())
