"""Scheduling, registering, the waiting list and attendance, through the services."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import Role
from live import services
from live.models import Registration, RegistrationStatus
from tests.builders import make_member

from .conftest import schedule

pytestmark = pytest.mark.django_db


def statuses(session):
    return list(
        Registration.objects.filter(session=session)
        .order_by("pk")
        .values_list("user__email", "status", "waitlist_position")
    )


def test_trainer_schedules_a_session_with_sanitised_markdown(world):
    session = schedule(world.a_trainer, description="Hello <script>alert(1)</script> **world**")
    assert session.agency_id == world.a.pk
    assert "<strong>world</strong>" in session.description_html
    assert "<script>" not in session.description_html
    assert len(session.checkin_code) == 6


def test_learner_cannot_schedule(world):
    with pytest.raises(PermissionDenied):
        schedule(world.a_learner)


def test_bad_input_is_refused_field_by_field(world):
    starts = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as refusal:
        schedule(
            world.a_trainer,
            format="hybrid",
            join_url="",
            location="",
            starts_at=starts,
            ends_at=starts - timedelta(hours=1),
            host=world.a_learner,
            units=[world.branch],
        )
    errors = refusal.value.message_dict
    assert set(errors) == {"ends_at", "join_url", "location", "host", "units"}


def test_a_series_makes_one_session_per_date_at_the_same_time(world):
    first = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    dates = [(first + timedelta(days=7)).date(), (first + timedelta(days=14)).date()]
    sessions = services.series_create(
        actor=world.a_trainer,
        dates=dates,
        title="Office hours",
        description="",
        format="in_person",
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        capacity=5,
        location="Room 4",
        join_url="",
        host=world.a_trainer,
        language="fr",
        course=None,
    )
    assert len(sessions) == 3
    assert len({s.series_id for s in sessions}) == 1
    assert [s.starts_at - first for s in sessions] == [timedelta(0), timedelta(7), timedelta(14)]
    assert all(s.ends_at - s.starts_at == timedelta(hours=2) for s in sessions)


def test_full_session_waitlists_in_order_and_a_cancellation_promotes_the_first(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    session = schedule(world.a_trainer, capacity=1)
    other = make_member(world.a, Role.LEARNER, world.data, email="third@a.gov")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.registration_create(actor=world.a_learner, session=session)
        second = services.registration_create(actor=world.a_ops_learner, session=session)
        third = services.registration_create(actor=other, session=session)
    assert (first.status, second.status, third.status) == ("registered", "waitlisted", "waitlisted")
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=world.a_learner, registration=first)
    assert statuses(session) == [
        ("learner@a.gov", "cancelled", None),
        ("ops@a.gov", "registered", None),
        ("third@a.gov", "waitlisted", 1),
    ]
    promoted = [m for m in mailoutbox if m.to == ["ops@a.gov"]]
    assert len(promoted) == 1 and "seat" in promoted[0].subject.lower()


def test_leaving_the_waiting_list_closes_the_gap(world):
    session = schedule(world.a_trainer, capacity=1)
    extra = [make_member(world.a, Role.LEARNER, world.data, email=f"w{i}@a.gov") for i in range(3)]
    services.registration_create(actor=world.a_learner, session=session)
    regs = [services.registration_create(actor=u, session=session) for u in extra]
    services.registration_cancel(actor=extra[0], registration=regs[0])
    positions = dict(
        Registration.objects.filter(session=session, status="waitlisted").values_list(
            "user__email", "waitlist_position"
        )
    )
    assert positions == {"w1@a.gov": 1, "w2@a.gov": 2}


def test_registering_twice_returns_the_same_place(world, session):
    one = services.registration_create(actor=world.a_learner, session=session)
    two = services.registration_create(actor=world.a_learner, session=session)
    assert one.pk == two.pk
    assert Registration.objects.count() == 1


def test_cancel_after_the_cutoff_is_refused_for_the_learner_but_not_the_host(world, session):
    registration = services.registration_create(actor=world.a_learner, session=session)
    with time_machine.travel(session.starts_at - timedelta(minutes=30)):
        with pytest.raises(ValidationError):
            services.registration_cancel(actor=world.a_learner, registration=registration)
        services.registration_cancel(actor=world.a_trainer, registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_session_for_some_units_is_open_to_those_units_and_below_only(world):
    session = schedule(world.a_trainer, units=[world.digital])
    services.registration_create(actor=world.a_learner, session=session)  # Data is under Digital
    with pytest.raises(ValidationError):
        services.registration_create(actor=world.a_ops_learner, session=session)


def test_other_agency_cannot_register(world, session):
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=world.b_learner, session=session)


def test_manager_registers_people_of_their_subtree_only(world, session):
    registration = services.registration_create(
        actor=world.a_manager, session=session, user=world.a_learner
    )
    assert registration.registered_by == world.a_manager
    with pytest.raises(PermissionDenied):  # Ops is not under the manager's Digital
        services.registration_create(
            actor=world.a_manager, session=session, user=world.a_ops_learner
        )


def test_more_capacity_promotes_people_waiting(world):
    session = schedule(world.a_trainer, capacity=1)
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    services.session_update(actor=world.a_trainer, session=session, capacity=2)
    assert [s for _e, s, _p in statuses(session)] == ["registered", "registered"]


def test_attendance_only_once_started_and_only_for_registrants(world, session):
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=world.a_trainer, session=session, attended_user_ids=[world.a_learner.pk]
        )
    with time_machine.travel(session.starts_at + timedelta(minutes=10)):
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=world.a_trainer, session=session, attended_user_ids=[world.a_admin.pk]
            )
        counts = services.attendance_record(
            actor=world.a_trainer, session=session, attended_user_ids=[world.a_learner.pk]
        )
    assert counts == {"attended": 1, "absent": 1}
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=world.a_learner, session=session, attended_user_ids=[])
