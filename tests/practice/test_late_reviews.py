"""Reviews waiting longer than the target are reminded to the people who can review them,
through reminders' registry and exactly-once log, from reminders' scan task."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Role
from learning import services as learning_services
from practice import services
from practice.models import SubmissionStatus
from reminders.models import LogStatus, ReminderLog
from reminders.services import reminders_send
from reminders.tasks import reminders_scan_task
from tests.builders import make_member

from .conftest import LEVELS_PASS

pytestmark = pytest.mark.django_db


def late_mail(outbox):
    return [
        m for m in outbox if m.extra_headers.get("X-Academy-Reminder", "").startswith("review_late")
    ]


@pytest.fixture
def run(django_capture_on_commit_callbacks, mailoutbox):
    """Run reminders' scan task (and the sending it enqueues); the late-review mail sent."""

    def do():
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders_scan_task()
        return late_mail(mailoutbox[before:])

    return do


def submit(enrollment, hours_ago, text="My rewrite"):
    submission = services.submission_for(enrollment=enrollment, task_key="rewrite-prompt")
    with time_machine.travel(timezone.now() - timedelta(hours=hours_ago), tick=False):
        return services.submission_submit(
            enrollment=enrollment,
            task_key="rewrite-prompt",
            text=text,
            base_version=submission.draft_version,
        )[0]


def recipients(sent):
    return sorted(address for m in sent for address in m.to)


def test_a_late_review_is_reminded_once_to_each_reviewer_of_the_agency(world, enrollment, run):
    submission = submit(enrollment, hours_ago=80)  # the default target: 72 hours
    sent = run() + run()
    assert recipients(sent) == ["admin@a.gov", "trainer@a.gov"]  # never B, the manager, the learner
    mail = sent[0]
    assert mail.subject == "A practice task is waiting for its review: Rewrite a prompt"
    assert f"/practice/reviews/{submission.pk}/" in mail.body
    assert "more than 72 hours" in mail.body
    assert world.a_learner.email not in mail.body and world.a_learner.full_name not in mail.body
    logs = ReminderLog.objects.filter(kind="review_late")
    assert logs.count() == 2 and {log.status for log in logs} == {LogStatus.SENT}
    assert {log.key for log in logs} == {
        f"review_late:0:1:{submission.pk}:{world.a_admin.pk}",
        f"review_late:0:1:{submission.pk}:{world.a_trainer.pk}",
    }


def test_not_reminded_before_the_target(world, enrollment, run):
    submit(enrollment, hours_ago=70)
    assert run() == []
    assert not ReminderLog.objects.filter(kind="review_late").exists()


def test_the_agencys_own_target_decides(world, enrollment, run):
    submit(enrollment, hours_ago=30)
    assert run() == []
    services.review_target_set(actor=world.a_admin, agency=world.a, hours=24)
    sent = run()
    assert recipients(sent) == ["admin@a.gov", "trainer@a.gov"]
    assert "more than 24 hours" in sent[0].body
    # Agency B's target is not A's.
    services.review_target_set(actor=world.b_admin, agency=world.b, hours=1)
    assert run() == []


def test_not_reminded_after_it_is_reviewed(world, enrollment, run):
    submission = submit(enrollment, hours_ago=80)
    assert services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    services.submission_review(
        reviewer=world.a_trainer,
        submission_id=submission.pk,
        levels=LEVELS_PASS,
        comments={},
        comment="",
    )
    assert run() == []
    assert not ReminderLog.objects.filter(kind="review_late").exists()


def test_a_reminder_recorded_before_the_review_is_skipped_when_sent(
    world, enrollment, django_capture_on_commit_callbacks, mailoutbox
):
    submission = submit(enrollment, hours_ago=80)
    with django_capture_on_commit_callbacks(execute=False):
        reminders_scan_task()
    ids = list(ReminderLog.objects.filter(kind="review_late").values_list("pk", flat=True))
    assert len(ids) == 2
    services.submission_claim(reviewer=world.a_admin, submission_id=submission.pk)
    services.submission_review(
        reviewer=world.a_admin,
        submission_id=submission.pk,
        levels=LEVELS_PASS,
        comments={},
        comment="",
    )
    before = len(mailoutbox)
    reminders_send(log_ids=ids)
    assert late_mail(mailoutbox[before:]) == []
    assert set(ReminderLog.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        LogStatus.SKIPPED
    }


def test_a_claim_being_worked_on_is_not_reminded_but_a_lapsed_one_is(world, enrollment, run):
    submission = submit(enrollment, hours_ago=80)
    services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    assert run() == []
    with time_machine.travel(timezone.now() + timedelta(minutes=services.CLAIM_MINUTES + 1)):
        sent = run()
    assert recipients(sent) == ["admin@a.gov", "trainer@a.gov"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CLAIMED


def test_a_resubmission_waiting_too_long_again_is_a_new_threshold(world, enrollment, run):
    submission = submit(enrollment, hours_ago=200)
    assert len(run()) == 2
    services.submission_claim(reviewer=world.a_trainer, submission_id=submission.pk)
    services.submission_review(
        reviewer=world.a_trainer,
        submission_id=submission.pk,
        levels={"removed": "0", "justified": "0"},
        comments={},
        comment="Again please.",
    )
    submit(enrollment, hours_ago=100, text="Second try")
    sent = run() + run()
    assert recipients(sent) == ["admin@a.gov", "trainer@a.gov"]
    assert ReminderLog.objects.filter(kind="review_late", period=2).count() == 2


def test_named_reviewers_alone_are_reminded_and_other_agencies_never(
    world, course, enrollment, run
):
    second = make_member(world.a, Role.TRAINER, world.digital, email="second@a.gov")
    b_trainer = make_member(world.b, Role.TRAINER, world.branch, email="trainer@b.gov")
    services.course_reviewers_set(
        actor=world.a_admin, agency=world.a, course=course, user_ids=[second.pk]
    )
    submit(enrollment, hours_ago=80)
    sent = run()
    assert recipients(sent) == ["second@a.gov"]
    assert b_trainer.email not in recipients(sent) and "admin@b.gov" not in recipients(sent)


def test_recording_takes_few_queries_when_nothing_is_late(
    world, enrollment, django_assert_num_queries
):
    from practice.selectors import review_targets
    from practice.services.late_reviews import late_reviews_record

    submit(enrollment, hours_ago=1)
    review_targets()  # cached, as after the first run
    with django_assert_num_queries(1):
        assert late_reviews_record() == []


# A submission already reminded for its attempt is not read again (issue: the beat re-drafted
# every late submission x reviewer each minute, which the unique key then threw away).


def late_backlog(world, course, count, hours_ago=80, prefix="late"):
    """`count` submissions of as many learners of agency A, handed in `hours_ago` hours ago."""
    submissions = []
    for i in range(count):
        learner = make_member(world.a, Role.LEARNER, world.data, email=f"{prefix}{i}@a.gov")
        enrollment = learning_services.enrollment_create(user=learner, course=course)
        submissions.append(submit(enrollment, hours_ago=hours_ago))
    return submissions


@pytest.fixture
def third_reviewer(world):
    """With the admin and the trainer of A: three reviewers for every submission."""
    return make_member(world.a, Role.TRAINER, world.digital, email="third@a.gov")


@pytest.fixture
def drafted(monkeypatch):
    """Every draft the recorder hands to reminders_record, as (object, period, recipient)."""
    from practice.services import late_reviews

    seen = []
    record = late_reviews.reminders_record

    def spy(*, drafts):
        drafts = list(drafts)
        seen.extend((d.object_id, d.period, d.recipient_id) for d in drafts)
        return record(drafts=drafts)

    monkeypatch.setattr(late_reviews, "reminders_record", spy)
    return seen


@pytest.mark.parametrize("count", [2, 20])
def test_a_second_run_drafts_nothing_in_one_query_whatever_the_backlog(
    world, course, third_reviewer, drafted, count, django_assert_num_queries
):
    from practice.selectors import review_targets
    from practice.services.late_reviews import late_reviews_record

    submissions = late_backlog(world, course, count)
    assert len(late_reviews_record()) == count * 3
    assert len(drafted) == count * 3
    drafted.clear()
    review_targets()  # cached, as after the first run
    with django_assert_num_queries(1):
        assert late_reviews_record() == []
    assert drafted == []
    assert ReminderLog.objects.filter(
        kind="review_late", object_id__in=[s.pk for s in submissions]
    ).count() == (count * 3)


def test_a_submission_late_after_the_first_run_still_gets_its_reminders(
    world, course, third_reviewer, drafted, run
):
    late_backlog(world, course, 3)
    assert len(run()) == 9
    newly_late = late_backlog(world, course, 2, prefix="new")
    learner = make_member(world.a, Role.LEARNER, world.data, email="soon@a.gov")
    soon = submit(learning_services.enrollment_create(user=learner, course=course), hours_ago=70)
    drafted.clear()
    sent = run()
    assert len(sent) == 6  # the two newly late ones, to each of the three reviewers
    assert {object_id for object_id, _period, _to in drafted} == {s.pk for s in newly_late}
    drafted.clear()
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        sent = run()
    assert recipients(sent) == ["admin@a.gov", "third@a.gov", "trainer@a.gov"]
    assert {object_id for object_id, _period, _to in drafted} == {soon.pk}


def test_each_reviewer_gets_one_mail_per_late_submission_over_many_runs(
    world, course, third_reviewer, run
):
    submissions = late_backlog(world, course, 4)
    sent = run() + run() + run()
    assert len(sent) == 12
    assert len({m.extra_headers["Message-ID"] for m in sent}) == 12
    logs = ReminderLog.objects.filter(kind="review_late")
    assert logs.count() == 12
    assert set(logs.values_list("status", flat=True)) == {LogStatus.SENT}
    assert set(logs.values_list("object_id", "recipient__email")) == {
        (s.pk, email)
        for s in submissions
        for email in ("admin@a.gov", "third@a.gov", "trainer@a.gov")
    }
