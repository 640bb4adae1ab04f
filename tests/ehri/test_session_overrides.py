"""An agency that takes a live session shared with every agency overrides its coding for its
own feed: the owner's coding stays as it is, each agency's feed uses its own override or else
the owner's coding; only that agency's admins reach it, 404 for everyone else."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from ehri import services
from ehri.feed import feed_build
from ehri.models import SessionCoding
from ehri.sessions import session_coding_save
from live import services as live
from live.models import LiveSession, Sharing

from ..builders import make_member
from .conftest import CODES, this_month

pytestmark = pytest.mark.django_db

OVERRIDE = {
    **CODES,
    "training_purpose_type": "Retention",
    "training_source_type_code": "Government External",
    "training_accreditation_indicator": "N",
    "continued_service_agreement_required_indicator": "N",
}


def _shared_session(world, title="Shared workshop"):
    """A session of agency A shared with every agency, held today (90 minutes), attended by
    A's learner and B's learner."""
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    session = live.session_create(
        actor=world.a_trainer,
        units=[],
        title=title,
        description="",
        format="online",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        capacity=10,
        location="",
        join_url="https://meet.example.gov/room-2",
        host=world.a_trainer,
        language="en",
        course=None,
    )
    LiveSession.objects.filter(pk=session.pk).update(sharing=Sharing.APPROVED)
    session.refresh_from_db()
    for person in (world.a_learner, world.b_learner):
        live.registration_create(actor=person, session=session)
    held = timezone.now() - timedelta(minutes=100)
    if held.date() != timezone.now().date():
        held = timezone.now().replace(hour=0, minute=1)
    LiveSession.objects.filter(pk=session.pk).update(
        starts_at=held, ends_at=held + timedelta(minutes=90)
    )
    session.refresh_from_db()
    live.attendance_record(
        actor=world.a_trainer,
        session=session,
        attended_user_ids=[world.a_learner.pk, world.b_learner.pk],
    )
    return session


@pytest.fixture
def shared(world):
    for admin, agency, person, number in (
        (world.a_admin, world.a, world.a_learner, "A-1"),
        (world.b_admin, world.b, world.b_learner, "B-1"),
    ):
        services.reporting_settings_save(
            actor=admin, agency=agency, subelement_code="AB12", require_coding=False
        )
        services.employee_id_set(actor=admin, agency=agency, user_id=person.pk, employee_id=number)
    session = _shared_session(world)
    session_coding_save(actor=world.a_trainer, session=session, values=CODES)  # the owner's
    return session


def _record(world, agency):
    start, end = this_month(agency)
    [record] = feed_build(agency=agency, start=start, end=end).records
    return record


def test_each_agency_reports_the_shared_session_with_the_owners_coding_until_it_overrides(
    world, shared
):
    assert _record(world, world.b)["TrainingPurposeType"] == "New Work Assignment"
    session_coding_save(actor=world.b_admin, session=shared, values=OVERRIDE)
    b_record, a_record = _record(world, world.b), _record(world, world.a)
    assert b_record["EmployeeIdentifier"] == "B-1"
    assert b_record["TrainingPurposeType"] == "Retention"
    assert b_record["TrainingSourceTypeCode"] == "Government External"
    assert a_record["EmployeeIdentifier"] == "A-1"
    assert a_record["TrainingPurposeType"] == "New Work Assignment"  # the owner's, unchanged
    owner = SessionCoding.objects.get(session=shared, agency=world.a)
    assert owner.training_purpose_type == "New Work Assignment"
    assert owner.training_source_type_code == "Government Internal"
    assert SessionCoding.objects.filter(session=shared).count() == 2


def test_the_owner_changing_its_coding_leaves_the_override_alone(world, shared):
    session_coding_save(actor=world.b_admin, session=shared, values=OVERRIDE)
    session_coding_save(
        actor=world.a_admin,
        session=shared,
        values={"training_purpose_type": "Future Staffing Needs"},
    )
    assert _record(world, world.a)["TrainingPurposeType"] == "Future Staffing Needs"
    assert _record(world, world.b)["TrainingPurposeType"] == "Retention"


def test_the_taking_agencys_admin_overrides_through_the_page(world, shared, client_for):
    url = reverse("ehri:session_coding", args=[shared.pk])
    client = client_for(world.b_admin)
    page = client.get(url).content.decode()
    assert "is shared with your agency" in page
    assert 'value="New Work Assignment" selected' in page  # starts from the owner's coding
    response = client.post(url, OVERRIDE)
    assert response.status_code == 302
    assert SessionCoding.objects.get(session=shared, agency=world.b).training_purpose_type == (
        "Retention"
    )
    assert SessionCoding.objects.get(session=shared, agency=world.a).training_purpose_type == (
        "New Work Assignment"
    )
    listing = client.get(reverse("ehri:sessions")).content.decode()
    assert "Shared workshop" in listing and "Your agency's own" in listing


def test_nobody_else_reaches_the_override(world, shared, client_for):
    url = reverse("ehri:session_coding", args=[shared.pk])
    b_trainer = make_member(world.b, role=Role.TRAINER, email="trainer@b.gov")
    for user in (world.b_learner, world.b_manager, b_trainer, world.a_learner):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, OVERRIDE).status_code == 404
    assert not SessionCoding.objects.filter(session=shared, agency=world.b).exists()
    # A session that is not shared: 404 for the other agency's admin, nothing written.
    LiveSession.objects.filter(pk=shared.pk).update(sharing=Sharing.NONE)
    assert client_for(world.b_admin).get(url).status_code == 404
    assert client_for(world.b_admin).post(url, OVERRIDE).status_code == 404
    assert not SessionCoding.objects.filter(session=shared, agency=world.b).exists()
    listing = client_for(world.b_admin).get(reverse("ehri:sessions")).content.decode()
    assert "Shared workshop" not in listing


def test_the_owners_people_never_see_or_change_the_override(world, shared, client_for):
    session_coding_save(actor=world.b_admin, session=shared, values=OVERRIDE)
    url = reverse("ehri:session_coding", args=[shared.pk])
    page = client_for(world.a_admin).get(url).content.decode()
    assert "is shared with your agency" not in page
    assert 'value="New Work Assignment" selected' in page  # the owner's own row
    client_for(world.a_admin).post(
        url, {**OVERRIDE, "training_purpose_type": "Future Staffing Needs"}
    )
    assert SessionCoding.objects.get(session=shared, agency=world.b).training_purpose_type == (
        "Retention"
    )
    # A's own sessions are not in its "shared with your agency" table.
    listing = client_for(world.a_admin).get(reverse("ehri:sessions")).content.decode()
    assert "No live session is shared with your agency." in listing


def test_an_override_kept_after_the_sharing_is_withdrawn_stays_editable(world, shared, client_for):
    session_coding_save(actor=world.b_admin, session=shared, values=OVERRIDE)
    LiveSession.objects.filter(pk=shared.pk).update(sharing=Sharing.NONE)
    url = reverse("ehri:session_coding", args=[shared.pk])
    assert client_for(world.b_admin).get(url).status_code == 200
    assert _record(world, world.b)["TrainingPurposeType"] == "Retention"


def test_the_shared_sessions_table_reads_a_bounded_number_of_queries(world, shared, client_for):
    client = client_for(world.b_admin)
    url = reverse("ehri:sessions")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        other = _shared_session(world, title=f"Shared workshop {n}")
        if n == 0:
            session_coding_save(actor=world.b_admin, session=other, values=OVERRIDE)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("Shared workshop") == 4
    assert len(four) == len(one)
