"""Certificate expiring: one reminder per certificate and step (60, 30, 7 days before by
default) through the exactly-once log, and the refresher (a new period, due on the expiry day)
at the first step."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from learning import services as learning
from learning.models import Certificate, Enrollment, EnrollmentStatus
from reminders import services
from reminders.models import Assignee, Kind, ReminderLog, ReminderPolicy, TargetKind
from tests.builders import build_course, finish_course

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day):
    # 18:00 UTC: past the 07:00 send hour in New York and Paris alike.
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(18), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def certified(world):
    """a_learner completed a course valid 12 months on 2027-03-10 (expires 2028-03-10)."""
    with at(D(2027, 3, 1)):
        course = build_course(
            world.a_trainer, world.a, slug="yearly", publish=True, validity_months=12
        )
        enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    with at(D(2027, 3, 10)):
        finish_course(enrollment)
    return enrollment


@pytest.fixture
def record(django_capture_on_commit_callbacks, mailoutbox):
    """Run the expiry scan (and the sending it enqueues) on a day; return the mails sent."""

    def do(day):
        before = len(mailoutbox)
        with at(day), django_capture_on_commit_callbacks(execute=True):
            services.expiry_reminders_record()
        return mailoutbox[before:]

    return do


def expiry_logs():
    return list(
        ReminderLog.objects.filter(kind=Kind.CERTIFICATE_EXPIRING)
        .order_by("created_at", "id")
        .values_list("period", "status")
    )


def test_the_certificate_carries_its_expiry(certified):
    certificate = Certificate.objects.get(issued_for=certified)
    assert certificate.expires_at.date() == D(2028, 3, 10)


def test_each_step_is_sent_once_and_the_first_assigns_the_refresher(world, certified, record):
    expires = D(2028, 3, 10)
    assert record(expires - datetime.timedelta(days=61)) == []  # before the first step
    sent = record(expires - datetime.timedelta(days=60))
    assert len(sent) == 1 and "expires soon" in sent[0].subject
    assert "Intro to AI" in sent[0].subject and "renew" in sent[0].body
    certified.refresh_from_db()
    # The refresher: the same course again, a new period, due on the expiry day.
    assert (certified.period, certified.status, certified.due_on) == (
        2,
        EnrollmentStatus.NOT_STARTED,
        expires,
    )
    certificate = Certificate.objects.get(issued_for=certified)
    assert certificate.enrollment_id is None and certificate.revoked_at is None  # still valid
    assert record(expires - datetime.timedelta(days=59)) == []  # the same step: nothing more
    assert len(record(expires - datetime.timedelta(days=30))) == 1
    assert len(record(expires - datetime.timedelta(days=7))) == 1
    assert record(expires - datetime.timedelta(days=3)) == []
    assert expiry_logs() == [(60, "sent"), (30, "sent"), (7, "sent")]
    certified.refresh_from_db()
    assert certified.period == 2  # reopened once, not at every step


def test_a_late_look_sends_only_the_latest_step_and_still_refreshes(world, certified, record):
    assert len(record(D(2028, 2, 20))) == 1  # 19 days before: the 30-day step
    assert expiry_logs() == [(30, "sent")]
    assert Enrollment.objects.get(pk=certified.pk).period == 2


def test_a_renewed_certificate_is_not_reminded_any_more(world, certified, record):
    record(D(2028, 1, 10))
    certified.refresh_from_db()
    with at(D(2028, 1, 20)):
        finish_course(certified)  # the refresher, done: a new certificate for period 2
    assert Certificate.objects.filter(issued_for=certified).count() == 2
    assert record(D(2028, 2, 10)) == []  # the old one's 30-day step is moot
    assert expiry_logs() == [(60, "sent")]


def test_an_assignee_follows_the_refresher(
    world, certified, record, django_capture_on_commit_callbacks
):
    with at(D(2027, 4, 1)), django_capture_on_commit_callbacks(execute=True):
        services.assignment_create(
            actor=world.a_manager,
            course=certified.course,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=D(2027, 5, 1),
            required=True,
        )
    record(D(2028, 1, 10))
    assignee = Assignee.objects.get(enrollment=certified)
    assert (assignee.period, assignee.due_on) == (2, D(2028, 3, 10))


def test_an_agency_without_expiry_steps_sends_nothing(world, certified, record):
    ReminderPolicy.objects.create(agency=world.a, expiry_before_days=[])
    assert record(D(2028, 3, 5)) == []
    assert Enrollment.objects.get(pk=certified.pk).period == 1


def test_the_policy_page_edits_the_expiry_steps(world, client_for):
    client = client_for(world.a_admin)
    page = client.get(reverse("reminders:policy")).content.decode()
    assert "Days before a certificate expires" in page and "60, 30, 7" in page
    fields = {
        "before_days": "14, 7",
        "on_due_date": "on",
        "overdue_every_days": "7",
        "escalate_after_days": "7",
        "digest_weekday": "0",
        "send_hour": "7",
    }
    response = client.post(reverse("reminders:policy"), {**fields, "expiry_before_days": "20, 90"})
    assert response.status_code == 302
    assert ReminderPolicy.objects.get(agency=world.a).expiry_before_days == [90, 20]
    response = client.post(reverse("reminders:policy"), {**fields, "expiry_before_days": "400"})
    assert "between 1 and 365" in response.content.decode()
    assert ReminderPolicy.objects.get(agency=world.a).expiry_before_days == [90, 20]
