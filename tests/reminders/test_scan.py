"""The whole reminder policy over time, with frozen time, through the real services and tasks."""

import datetime

import pytest
import time_machine
from django.core import mail

from agencies import services as agency_services
from agencies.models import Role
from learning.models import Enrollment
from reminders import services
from reminders.models import Kind, LogStatus, Notification, ReminderLog, TargetKind
from tests.builders import finish_course, make_member

from .conftest import keys

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2027, 3, 21)  # 20 days after T0 (Monday 1 March 2027)


def at(day: datetime.date, hour=12):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def learner_assigned(world, course_a, assign, frozen):
    return assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=DUE,
    )


def subjects(messages):
    return [(m.to[0], m.subject) for m in messages]


def test_assignment_to_a_unit_enrolls_everyone_below_it(world, course_a, assign, frozen):
    assignment = assign(
        world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.digital, due_on=DUE
    )
    enrolled = set(
        Enrollment.objects.filter(course=course_a).values_list("user__email", "required", "due_on")
    )
    assert enrolled == {
        ("manager@a.gov", True, DUE),
        ("trainer@a.gov", True, DUE),
        ("learner@a.gov", True, DUE),
    }
    assert (assignment.status, assignment.people_done, assignment.people_total) == ("done", 3, 3)


def test_learner_gets_each_step_once_before_on_and_after_the_due_date(
    world, learner_assigned, scan
):
    assert scan() == []  # 20 days before: nothing yet
    timeline = [
        (D(2027, 3, 7), ["Reminder: “Intro to AI” is due on March 21, 2027"]),
        (D(2027, 3, 8), []),
        (D(2027, 3, 14), ["Reminder: “Intro to AI” is due on March 21, 2027"]),
        (D(2027, 3, 20), ["Reminder: “Intro to AI” is due on March 21, 2027"]),
        (D(2027, 3, 21), ["Due today: “Intro to AI”"]),
        (D(2027, 3, 27), []),
        (D(2027, 3, 28), ["Overdue: “Intro to AI” was due on March 21, 2027"]),
        (D(2027, 4, 4), ["Overdue: “Intro to AI” was due on March 21, 2027"]),
    ]
    for day, expected in timeline:
        with at(day):
            sent = scan()
            assert [m.subject for m in sent if m.to == ["learner@a.gov"]] == expected, day
            assert scan() == []  # a second scan the same day sends nothing
    learner_keys = [k for k in keys() if k.endswith(f":{world.a_learner.pk}")]
    assert len(learner_keys) == len(set(learner_keys)) == 6


def test_overdue_required_training_escalates_once_to_the_managers_of_the_unit(
    world, learner_assigned, scan
):
    with at(D(2027, 3, 27)):
        scan()
    with at(D(2027, 3, 28)):
        sent = scan()
    assert (
        "manager@a.gov",
        "Learner@a.gov is overdue on “Intro to AI”".replace(
            "Learner@a.gov", world.a_learner.full_name
        ),
    ) in subjects(sent)
    with at(D(2027, 4, 4)):
        assert [m for m in scan() if m.to == ["manager@a.gov"] and "overdue on" in m.subject] == []
    escalation = ReminderLog.objects.get(kind=Kind.ESCALATION)
    assert escalation.recipient == world.a_manager and escalation.status == LogStatus.SENT


def test_weekly_digest_lists_the_managers_people_once_per_week(world, learner_assigned, scan):
    with at(D(2027, 3, 15)):  # a Monday, six days before the due date
        sent = scan()
        digest = [m for m in sent if m.subject.startswith("Weekly digest")]
        assert [m.to for m in digest] == [["manager@a.gov"]]
        assert world.a_learner.full_name in digest[0].body and "Intro to AI" in digest[0].body
        assert scan() == []
    with at(D(2027, 3, 16)):
        assert [m for m in scan() if m.subject.startswith("Weekly digest")] == []
    with at(D(2027, 3, 22)):
        assert [m.to for m in scan() if m.subject.startswith("Weekly digest")] == [
            ["manager@a.gov"]
        ]
    # The other agency's manager has nothing to report: the digest is skipped, not sent.
    assert not any(m.to == ["manager@b.gov"] for m in mail.outbox)


def test_completed_training_is_moot_and_not_reminded(world, learner_assigned, scan):
    with at(D(2027, 3, 7)):
        scan()
        enrollment = Enrollment.objects.get(user=world.a_learner)
        finish_course(enrollment)
    with at(D(2027, 3, 14)):
        assert scan() == []
    with at(D(2027, 3, 28)):
        assert scan() == []


def test_reminder_decided_before_completion_is_skipped_when_sent(
    world, learner_assigned, django_capture_on_commit_callbacks
):
    with at(D(2027, 3, 7)):
        services.reminders_scan()  # recorded, but the sending tasks were not run
        finish_course(Enrollment.objects.get(user=world.a_learner))
        log = ReminderLog.objects.get(recipient=world.a_learner)
        services.reminders_send(log_ids=[log.pk])
    log.refresh_from_db()
    assert (log.status, log.last_error) == (LogStatus.SKIPPED, "completed")
    assert mail.outbox == []


def test_removed_assignment_stops_reminders_and_keeps_history(world, learner_assigned, scan):
    with at(D(2027, 3, 7)):
        assert len(scan()) == 1
        services.reminders_scan  # noqa: B018 - history stays below
    with at(D(2027, 3, 13)):
        services.reminders_scan()
    services.assignment_remove(actor=world.a_manager, assignment=learner_assigned)
    with at(D(2027, 3, 14)):
        assert scan() == []
    with at(D(2027, 3, 28)):
        assert scan() == []
    assert ReminderLog.objects.filter(status=LogStatus.SENT).count() == 1
    assert Enrollment.objects.filter(user=world.a_learner).exists()


def test_pending_reminder_of_a_removed_assignment_is_skipped(world, learner_assigned):
    with at(D(2027, 3, 7)):
        services.reminders_scan()
    services.assignment_remove(actor=world.a_manager, assignment=learner_assigned)
    log = ReminderLog.objects.get()
    services.reminders_send(log_ids=[log.pk])
    log.refresh_from_db()
    assert (log.status, log.last_error) == (LogStatus.SKIPPED, "assignment removed")


def test_due_dates_are_evaluated_in_the_agency_time_zone(world, course_a, assign, scan):
    agency_services.agency_update_settings(
        actor=world.a_admin,
        agency=world.a,
        name=world.a.name,
        acronym=world.a.acronym,
        domains=["a.gov"],
        time_zone="Pacific/Auckland",
        default_language="en",
        mfa_required=False,
    )
    with at(D(2027, 3, 1)):
        assign(
            world.a_admin,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=DUE,
        )
    # 20 March 18:30 UTC is 21 March 07:30 in Auckland (NZDT, UTC+13): due today there.
    with time_machine.travel(
        datetime.datetime(2027, 3, 20, 18, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert [m.subject for m in scan()] == ["Due today: “Intro to AI”"]
    # 17:30 UTC was still 06:30 there, before the policy's 07:00: only the day-before step.
    assert ReminderLog.objects.filter(kind=Kind.BEFORE).count() == 0


def test_recommended_training_goes_into_the_weekly_digest_when_the_learner_prefers(
    world, course_a, assign, scan
):
    services.preference_update(user=world.a_learner, recommended_digest=True)
    with at(D(2027, 3, 1)):
        assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=DUE,
            required=False,
        )
    with at(D(2027, 3, 14)):
        assert [m for m in scan() if m.to == ["learner@a.gov"]] == []
    with at(D(2027, 3, 15)):  # Monday: the learner's digest
        sent = [m for m in scan() if m.to == ["learner@a.gov"]]
        assert [m.subject for m in sent] == ["Weekly digest: your recommended training"]


def test_required_overdue_notices_ignore_the_digest_preference(world, learner_assigned, scan):
    services.preference_update(user=world.a_learner, recommended_digest=True)
    with at(D(2027, 3, 28)):
        assert "Overdue: “Intro to AI” was due on March 21, 2027" in [
            m.subject for m in scan() if m.to == ["learner@a.gov"]
        ]


def test_agency_policy_changes_the_steps(world, learner_assigned, scan):
    services.policy_update(
        actor=world.a_admin,
        agency=world.a,
        before_days=[3],
        on_due_date=False,
        overdue_every_days=2,
        escalate_after_days=30,
        digest_weekday=6,
        send_hour=7,
    )

    def to_learner():
        return [m.subject for m in scan() if m.to == ["learner@a.gov"]]

    with at(D(2027, 3, 14)):
        assert to_learner() == []
    with at(D(2027, 3, 18)):
        assert to_learner() == ["Reminder: “Intro to AI” is due on March 21, 2027"]
    with at(D(2027, 3, 21)):
        assert to_learner() == []  # no due-date step in this policy
    with at(D(2027, 3, 23)):
        assert to_learner() == ["Overdue: “Intro to AI” was due on March 21, 2027"]


def test_each_reminder_is_also_an_in_app_notification(world, learner_assigned, scan):
    with at(D(2027, 3, 7)):
        scan()
    notification = Notification.objects.get(user=world.a_learner)
    assert notification.title.startswith("Reminder:") and notification.url.endswith(
        "/learn/intro-ai/"
    )
    assert services.unread_count(world.a_learner) == 1
    services.notification_mark_read(user=world.a_learner)
    assert services.unread_count(world.a_learner) == 0


def test_email_is_multipart_in_the_learners_language_with_link_and_sender(
    world, learner_assigned, scan, settings
):
    settings.SITE_URL = "https://academy.example.gov"
    settings.DEFAULT_FROM_EMAIL = "Academy <reminders@academy.example.gov>"
    services.preference_update(user=world.a_learner, recommended_digest=False, language="fr")
    with at(D(2027, 3, 7)):
        (message,) = scan()
    assert message.from_email == "Academy <reminders@academy.example.gov>"
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert "https://academy.example.gov/learn/intro-ai/" in message.body
    assert 'href="https://academy.example.gov/learn/intro-ai/"' in html
    assert "Intro to AI" in message.subject and "2027" in message.subject


def test_late_joiner_gets_standing_assignment_with_their_own_due_date(
    world, course_a, assign, django_capture_on_commit_callbacks
):
    with at(D(2027, 3, 1)):
        assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_days=30,
        )
    with at(D(2027, 3, 11)):
        newcomer = make_member(world.a, Role.LEARNER, world.ops, email="new@a.gov")
        with django_capture_on_commit_callbacks(execute=True):
            agency_services.membership_update(
                actor=world.a_admin,
                membership=newcomer.membership,
                role=Role.LEARNER,
                unit=world.data,
            )
    dates = dict(Enrollment.objects.filter(course=course_a).values_list("user__email", "due_on"))
    assert dates["learner@a.gov"] == D(2027, 3, 31)
    assert dates["new@a.gov"] == D(2027, 4, 10)
    assert "ops@a.gov" not in dates


def test_signup_into_an_assigned_agency_gets_agency_wide_assignments(
    world, course_a, assign, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    with at(D(2027, 3, 1)):
        assign(world.a_admin, course=course_a, target=TargetKind.AGENCY, due_on=DUE)
        user = UserFactory(email="joiner@a.gov")
        with django_capture_on_commit_callbacks(execute=True):
            agency_services.membership_join_on_signup(user=user)
    assert Enrollment.objects.get(user=user, course=course_a).due_on == DUE
    assert not Enrollment.objects.filter(user=world.b_learner).exists()


def test_materialisation_runs_in_batches_and_reports_progress(world, course_a, frozen):
    from tests.builders import bulk_members

    bulk_members(world.a, [world.data, world.ops], 25)
    assignment = services.assignment_create(
        actor=world.a_admin, course=course_a, target=TargetKind.AGENCY, due_on=DUE
    )
    assert assignment.people_total == 30
    assert (
        services.assignment_materialise_batch(assignment_id=assignment.pk, batch_size=10) is False
    )
    assignment.refresh_from_db()
    assert (assignment.status, assignment.people_done, assignment.progress_percent) == (
        "running",
        10,
        33,
    )
    while not services.assignment_materialise_batch(assignment_id=assignment.pk, batch_size=10):
        pass
    assignment.refresh_from_db()
    assert (assignment.status, assignment.people_done) == ("done", 30)
    assert Enrollment.objects.filter(course=course_a).count() == 30
    # Running it again changes nothing.
    assert services.assignment_materialise_batch(assignment_id=assignment.pk) is True
    assert Enrollment.objects.filter(course=course_a).count() == 30


def test_manager_cannot_assign_outside_their_units_or_to_the_agency(world, course_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.ops,
            due_on=DUE,
        )
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=world.a_manager, course=course_a, target=TargetKind.AGENCY, due_on=DUE
        )
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.b_learner],
            due_on=DUE,
        )
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=world.b_admin, course=course_a, target=TargetKind.AGENCY, due_on=DUE
        )
