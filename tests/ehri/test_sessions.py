"""Live sessions in the feed: an attended session is a completion, coded by its host or its
agency's admins; its records pass the edits and the schema, and a withdrawn attendance is a
correction."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from ehri import services
from ehri.feed import feed_build
from ehri.models import FeedExport, SessionCoding
from ehri.sessions import session_coding_save
from live import services as live
from live.models import LiveSession

from .conftest import CODES, this_month
from .test_feed import SCHEMA, produce, read


def _held_session(world, **fields):
    """A session of agency A hosted by A's trainer that took place today (90 minutes), with
    A's learner attending and A's manager registered but absent."""
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    session = live.session_create(
        actor=world.a_trainer,
        units=[],
        title="Prompting workshop",
        description="",
        format=fields.pop("format", "online"),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        capacity=10,
        location="",
        join_url="https://meet.example.gov/room-1",
        host=world.a_trainer,
        language="en",
        course=None,
    )
    for person in (world.a_learner, world.a_manager):
        live.registration_create(actor=person, session=session)
    # The session took place: moved into the past as the clock would have.
    held = timezone.now() - timedelta(minutes=100)
    if held.date() != timezone.now().date():
        held = timezone.now().replace(hour=0, minute=1)
    LiveSession.objects.filter(pk=session.pk).update(
        starts_at=held, ends_at=held + timedelta(minutes=90)
    )
    session.refresh_from_db()
    live.attendance_record(
        actor=world.a_trainer, session=session, attended_user_ids=[world.a_learner.pk]
    )
    return session


@pytest.fixture
def held(world):
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=False
    )
    for person, number in ((world.a_learner, "E-1"), (world.a_manager, "E-2")):
        services.employee_id_set(
            actor=world.a_admin, agency=world.a, user_id=person.pk, employee_id=number
        )
    return _held_session(world)


def _feed(world):
    start, end = this_month(world.a)
    return feed_build(agency=world.a, start=start, end=end)


def test_an_uncoded_attended_session_is_rejected_with_a_link_to_code_it(world, held):
    feed = _feed(world)
    assert feed.records == []
    [rejection] = feed.rejections  # the absent registrant is not a completion
    assert rejection.course == "Prompting workshop"
    assert rejection.reasons == ["the session has no EHRI coding"]
    assert rejection.fix_url == reverse("ehri:session_coding", args=[held.pk])


def test_the_host_codes_the_session_and_the_attendance_is_reported(world, held):
    coding = session_coding_save(
        actor=world.a_trainer,
        session=held,
        values={"training_purpose_type": "Retention", "training_type_code": "Basic Training Area"},
    )
    assert coding.training_delivery_type_code == "Technology Based"  # an online session
    [record] = _feed(world).records
    assert record["EmployeeIdentifier"] == "E-1"
    assert record["CourseTitle"] == "Prompting workshop"
    assert record["CourseNumberCode"] == f"live-{held.pk}"
    assert record["TrainingDutyHours"] == "1.5"  # the session's length
    assert record["TrainingPurposeType"] == "Retention"


def test_an_in_person_session_defaults_to_the_traditional_classroom(world):
    from ehri.sessions import session_default_coding

    session = LiveSession(format="in_person", agency_id=world.a.pk)
    assert session_default_coding(session).training_delivery_type_code == (
        "Traditional Classroom (no technology)"
    )


def test_the_session_record_is_valid_and_a_withdrawn_attendance_is_a_correction(
    world, held, django_capture_on_commit_callbacks
):
    session_coding_save(actor=world.a_admin, session=held, values=CODES)
    export = produce(world, django_capture_on_commit_callbacks)
    assert export.status == FeedExport.Status.DONE, export.error
    assert SCHEMA.validate(etree.fromstring(read(export.xml_file))), SCHEMA.error_log
    assert export.records == 1

    live.attendance_record(actor=world.a_trainer, session=held, attended_user_ids=[])
    again = produce(world, django_capture_on_commit_callbacks)
    assert again.corrections == 1 and again.records == 0
    assert b"revoked|E-1|Prompting workshop" in read(again.corrections_file)


def test_only_the_host_and_the_agencys_admins_code_a_session(world, held, client_for):
    url = reverse("ehri:session_coding", args=[held.pk])
    for user in (world.b_admin, world.a_learner, world.a_manager):
        assert client_for(user).get(url).status_code == 404
    assert client_for(world.b_admin).get(reverse("ehri:sessions")).status_code == 200
    assert (
        "Prompting workshop"
        not in client_for(world.b_admin).get(reverse("ehri:sessions")).content.decode()
    )
    response = client_for(world.a_trainer).post(
        url,
        {
            **CODES,
            "duty_hours": "2",
            "training_accreditation_indicator": "N",
            "continued_service_agreement_required_indicator": "N",
        },
    )
    assert response.status_code == 302
    assert SessionCoding.objects.get(session=held).duty_hours == 2
    page = client_for(world.a_admin).get(reverse("ehri:sessions")).content.decode()
    assert "Prompting workshop" in page
    assert client_for(world.a_learner).get(reverse("ehri:sessions")).status_code == 404


def test_the_sessions_page_reads_a_bounded_number_of_queries(world, held, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.a_admin)
    url = reverse("ehri:sessions")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(3):
        _held_session(world)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("Prompting workshop") == 4
    assert len(four) == len(one)
