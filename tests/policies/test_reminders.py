import datetime

import pytest
from django.core import mail
from django.utils import timezone

from agencies.models import Membership
from policies import services
from policies.models import PolicyReminder, ReminderKind, ReminderStatus
from policies.reminder_services import policy_reminders_scan, policy_reminders_send
from policies.tasks import policy_reminders_scan_task

from .conftest import publish

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def version(world):
    version = publish(world.a_admin, world.a, due_days=10)
    # everyone joined before the publication, so the due date is publication + 10 days
    Membership.objects.update(joined_at=version.published_at - 30 * DAY)
    return version


def test_nothing_is_owed_before_three_days_ahead_of_the_due_date(world, version):
    assert policy_reminders_scan(now=version.published_at + 6 * DAY) == []


def test_due_soon_reminders_are_written_once_and_sent_once(world, version):
    now = version.published_at + 8 * DAY
    first = policy_reminders_scan(now=now)
    assert policy_reminders_scan(now=now) == first  # a second beat adds nothing
    rows = PolicyReminder.objects.filter(pk__in=first)
    assert {r.user_id for r in rows} == {
        world.a_admin.pk,
        world.a_manager.pk,
        world.a_trainer.pk,
        world.a_learner.pk,
        world.a_ops_learner.pk,
    }  # agency A only
    assert {r.kind for r in rows} == {ReminderKind.BEFORE_DUE}
    assert policy_reminders_send(ids=first, now=now) == 5
    assert policy_reminders_send(ids=first, now=now) == 0  # a retried task sends nothing
    assert len(mail.outbox) == 5
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    assert policy_reminders_scan(now=now + DAY) == []  # already decided for this cycle


def test_overdue_reminder_is_a_new_row_and_skips_who_acknowledged(world, version):
    policy_reminders_send(ids=policy_reminders_scan(now=version.published_at + 8 * DAY))
    mail.outbox.clear()
    services.policy_acknowledge(
        user=world.a_learner, version=version, typed_name=world.a_learner.full_name
    )
    overdue = policy_reminders_scan(now=version.published_at + 12 * DAY)
    assert PolicyReminder.objects.filter(kind=ReminderKind.OVERDUE).count() == 4
    assert not PolicyReminder.objects.filter(
        kind=ReminderKind.OVERDUE, user=world.a_learner
    ).exists()
    assert policy_reminders_send(ids=overdue) == 4
    assert world.a_learner.email not in {m.to[0] for m in mail.outbox}


def test_reminder_decided_before_an_acknowledgement_is_skipped(world, version):
    ids = policy_reminders_scan(now=timezone.now() + 9 * DAY)
    services.policy_acknowledge(
        user=world.a_learner, version=version, typed_name=world.a_learner.full_name
    )
    assert policy_reminders_send(ids=ids) == 4
    assert PolicyReminder.objects.get(user=world.a_learner).status == ReminderStatus.SKIPPED


def test_a_claimed_row_is_never_sent_by_another_call(world, version):
    ids = policy_reminders_scan(now=version.published_at + 8 * DAY)
    PolicyReminder.objects.filter(pk=ids[0]).update(
        status=ReminderStatus.SENDING, claimed_at=timezone.now()
    )
    assert policy_reminders_send(ids=ids) == 4
    # a row a killed worker left 'sending' goes back to pending after a while, and only then
    later = timezone.now() + datetime.timedelta(hours=1)
    assert ids[0] in policy_reminders_scan(now=later)


def test_yearly_renewal_opens_a_new_cycle_of_reminders(world):
    version = publish(world.a_admin, world.a, due_days=10, yearly=True)
    long_ago = timezone.now() - datetime.timedelta(days=380)
    services.policy_acknowledge(
        user=world.a_learner, version=version, typed_name=world.a_learner.full_name, now=long_ago
    )
    policy_reminders_scan()
    row = PolicyReminder.objects.get(user=world.a_learner)
    assert row.kind == ReminderKind.OVERDUE
    assert row.cycle == (long_ago + datetime.timedelta(days=365)).date()


def test_the_beat_task_scans_and_sends(world, version, django_capture_on_commit_callbacks):
    Membership.objects.update(joined_at=timezone.now() - 60 * DAY)
    from policies.models import PolicyVersion

    PolicyVersion.objects.update(published_at=timezone.now() - 20 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        policy_reminders_scan_task.delay()
    assert len(mail.outbox) == 5
    assert PolicyReminder.objects.filter(status=ReminderStatus.SENT).count() == 5
