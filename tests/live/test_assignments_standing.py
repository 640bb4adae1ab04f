"""Session assignments are standing, like course assignments (issue 16): people who sign up into
an assigned unit (or agency), or are moved into it, are placed at the session while it is
upcoming; and assigning many people costs the same number of queries in the request as a few."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Role
from live import services
from live.models import LiveSession, Registration, SessionAssignee
from live.services.assignments import session_assignments_apply_to_member
from tests.builders import bulk_members, make_member
from tests.factories import UnitFactory, UserFactory

from .conftest import schedule


def _place(session, email):
    row = Registration.objects.filter(session=session, user__email=email).first()
    return (row.status, row.waitlist_position) if row else None


def _signup(world, email, unit, callbacks):
    """Someone invited into `unit` of agency A signs up (MembersJoined, source "signup")."""
    agency_services.invitation_create(actor=world.a_admin, agency=world.a, email=email, unit=unit)
    user = UserFactory(email=email)
    with callbacks(execute=True):
        agency_services.membership_join_on_signup(user=user)
    return user


def _move(world, user, unit, callbacks):
    with callbacks(execute=True):
        agency_services.membership_update(
            actor=world.a_admin, membership=user.membership, role=Role.LEARNER, unit=unit
        )


@pytest.fixture
def digital_session(world):
    """A session assigned by the manager of Digital to Digital (and Data below it)."""
    session = schedule(world.a_trainer)
    services.session_assign(
        actor=world.a_manager, session=session, target="unit", unit=world.digital
    )
    return session


def test_newcomer_who_signs_up_into_the_unit_is_registered_and_told(
    world, digital_session, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    _signup(world, "newbie@a.gov", world.data, django_capture_on_commit_callbacks)
    assert _place(digital_session, "newbie@a.gov") == ("registered", None)
    assert SessionAssignee.objects.filter(user__email="newbie@a.gov").count() == 1
    # the same invitation (with its calendar event) as the original assignees
    (message,) = [m for m in mailoutbox if m.to == ["newbie@a.gov"]]
    assert message.subject == f"You are registered: {digital_session.title}"
    assert "text/calendar" in str(message.message())


def test_newcomer_elsewhere_in_the_agency_is_not_registered(
    world, digital_session, django_capture_on_commit_callbacks
):
    _signup(world, "opsnew@a.gov", world.ops, django_capture_on_commit_callbacks)
    assert _place(digital_session, "opsnew@a.gov") is None
    assert not SessionAssignee.objects.filter(user__email="opsnew@a.gov").exists()


def test_another_agencys_newcomer_never_gets_it(world, django_capture_on_commit_callbacks):
    session = schedule(world.a_trainer)
    services.session_assign(actor=world.a_admin, session=session, target="agency")
    # a session opened to every agency: still only agency A's assignment, for A's people
    LiveSession.objects.filter(pk=session.pk).update(sharing="approved")
    agency_services.invitation_create(
        actor=world.b_admin, agency=world.b, email="newbie@b.gov", unit=world.branch
    )
    user = UserFactory(email="newbie@b.gov")
    with django_capture_on_commit_callbacks(execute=True):
        agency_services.membership_join_on_signup(user=user)
    assert user.membership.agency_id == world.b.pk
    assert _place(session, "newbie@b.gov") is None
    assert session_assignments_apply_to_member(membership_id=user.membership.pk) == 0


def test_signup_into_an_agency_assigned_session_registers_the_newcomer(
    world, django_capture_on_commit_callbacks
):
    session = schedule(world.a_trainer)
    services.session_assign(actor=world.a_admin, session=session, target="agency")
    _signup(world, "anyone@a.gov", None, django_capture_on_commit_callbacks)
    assert _place(session, "anyone@a.gov") == ("registered", None)


def test_person_placed_directly_is_not_given_it_like_course_assignments(
    world, digital_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_member(world.a, Role.LEARNER, world.data, email="placed@a.gov")
    assert _place(digital_session, "placed@a.gov") is None


def test_member_moved_into_the_unit_is_registered_and_moved_out_keeps_the_place(
    world, digital_session, django_capture_on_commit_callbacks
):
    assert _place(digital_session, "ops@a.gov") is None
    _move(world, world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    assert _place(digital_session, "ops@a.gov") == ("registered", None)
    assert SessionAssignee.objects.filter(user=world.a_ops_learner).count() == 1
    # moved out again: the place stays, as enrollments of course assignments stay
    _move(world, world.a_ops_learner, world.ops, django_capture_on_commit_callbacks)
    assert _place(digital_session, "ops@a.gov") == ("registered", None)


def test_moved_in_when_the_session_is_full_joins_the_waiting_list(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    session = schedule(world.a_trainer, capacity=3)
    services.session_assign(
        actor=world.a_manager, session=session, target="unit", unit=world.digital
    )
    mailoutbox.clear()
    _move(world, world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    assert _place(session, "ops@a.gov") == ("waitlisted", 1)
    assert [m.subject for m in mailoutbox if m.to == ["ops@a.gov"]] == [
        f"You are on the waiting list: {session.title}"
    ]


def test_handling_the_event_twice_changes_nothing_more(
    world, digital_session, django_capture_on_commit_callbacks, mailoutbox
):
    _move(world, world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    membership_id = world.a_ops_learner.membership.pk
    assert session_assignments_apply_to_member(membership_id=membership_id) == 0
    assert SessionAssignee.objects.filter(user=world.a_ops_learner).count() == 1
    assert Registration.objects.filter(user=world.a_ops_learner).count() == 1
    assert mailoutbox == []


def test_past_and_cancelled_sessions_reach_nobody(world, django_capture_on_commit_callbacks):
    past = schedule(world.a_trainer)
    cancelled = schedule(world.a_trainer, days=4)
    for session in (past, cancelled):
        services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=world.digital
        )
    starts = timezone.now() - timedelta(hours=3)
    LiveSession.objects.filter(pk=past.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    LiveSession.objects.filter(pk=cancelled.pk).update(is_cancelled=True)
    _move(world, world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    assert not Registration.objects.filter(user=world.a_ops_learner).exists()
    assert not SessionAssignee.objects.filter(user=world.a_ops_learner).exists()


def test_someone_assigned_by_people_does_not_reach_newcomers(
    world, django_capture_on_commit_callbacks
):
    session = schedule(world.a_trainer)
    services.session_assign(
        actor=world.a_manager, session=session, target="people", people=[world.a_learner]
    )
    _move(world, world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    assert _place(session, "ops@a.gov") is None


# --- many people, bounded queries ----------------------------------------------------------


def _assign_queries(client, session, unit, callbacks):
    """The SQL of one assignment request to `unit` (the after-commit email tasks apart)."""
    with callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("live:assign", args=[session.pk]), {"target": "unit", "unit": unit.pk}
        )
    assert response.status_code == 302
    return queries


def test_assigning_thirty_people_costs_the_same_queries_as_three(
    world, client_for, django_capture_on_commit_callbacks
):
    small = UnitFactory(agency=world.a, parent=world.data, name="Small")
    large = UnitFactory(agency=world.a, parent=world.data, name="Large")
    bulk_members(world.a, [small], 3, prefix="small")
    bulk_members(world.a, [large], 30, prefix="large")
    client = client_for(world.a_manager)
    client.get(reverse("live:assign", args=[schedule(world.a_trainer, days=9).pk]))  # warm up
    three = _assign_queries(
        client, schedule(world.a_trainer, capacity=2), small, django_capture_on_commit_callbacks
    )
    thirty = _assign_queries(
        client, schedule(world.a_trainer, capacity=20), large, django_capture_on_commit_callbacks
    )
    print("\n".join(q["sql"] for q in thirty.captured_queries))
    assert len(thirty) == len(three), (len(three), len(thirty))


def test_a_large_assignment_seats_then_waitlists_everyone_once_gap_free(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    large = UnitFactory(agency=world.a, parent=world.data, name="Large")
    people = bulk_members(world.a, [large], 30, prefix="large")
    session = schedule(world.a_trainer, capacity=12)
    services.registration_create(actor=world.a_learner, session=session)  # one seat taken
    with django_capture_on_commit_callbacks(execute=True):
        result = services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=large
        )
    assert (result["registered"], result["waitlisted"]) == (11, 19)
    rows = Registration.objects.filter(session=session)
    assert rows.filter(status="registered").count() == 12
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == list(range(1, 20))
    # first come first served in user order: the lowest ids got the seats
    seated = set(rows.filter(status="registered").values_list("user_id", flat=True))
    assert {p.pk for p in people[:11]} <= seated
    # everyone told once: 11 invitations, 19 waiting-list notices
    subjects = [m.subject for m in mailoutbox if m.to[0].startswith("large")]
    assert len(subjects) == 30 and len({m.to[0] for m in mailoutbox}) == 30
    assert sum(s.startswith("You are registered") for s in subjects) == 11
    # the figures follow
    from live.models import AttendanceCount

    assert (
        sum(AttendanceCount.objects.filter(session=session).values_list("seated", flat=True)) == 12
    )


def test_a_cancelled_place_is_given_again_by_an_assignment(
    world, session, django_capture_on_commit_callbacks
):
    registration = services.registration_create(actor=world.a_learner, session=session)
    services.registration_cancel(actor=world.a_learner, registration=registration)
    services.session_assign(
        actor=world.a_manager, session=session, target="people", people=[world.a_learner]
    )
    registration.refresh_from_db()
    assert (registration.status, registration.sequence) == ("registered", 2)
    assert registration.registered_by_id == world.a_manager.pk
