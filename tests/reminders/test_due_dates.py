"""Due dates that cannot make anyone overdue on the day they are assigned, and the late joiner.

Past due dates are refused (form and service), people who join or move into a unit after a
standing assignment's date get their own date, and the scanner never counts lateness from
before the day someone was assigned.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from agencies import services as agency_services
from agencies.models import AuditEvent, Membership, Role
from learning.models import Enrollment
from reminders import services
from reminders.models import Assignee, Assignment, Kind, ReminderLog, TargetKind
from tests.builders import make_member

from .conftest import T0

pytestmark = pytest.mark.django_db
D = datetime.date


def at(moment):
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


def test_service_refuses_a_due_date_before_the_agency_today_and_audits_it(world, course_a, frozen):
    with pytest.raises(ValidationError) as refused:
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_on=D(2020, 1, 1),
        )
    assert "due_on" in refused.value.message_dict
    assert not Assignment.objects.exists() and not Enrollment.objects.exists()
    rejected = AuditEvent.objects.get(action="assignment.create")
    assert rejected.outcome == AuditEvent.Outcome.REJECTED
    # Today itself is fine, and so is a number of days.
    services.assignment_create(
        actor=world.a_manager,
        course=course_a,
        target=TargetKind.UNIT,
        unit=world.digital,
        due_on=T0.date(),
    )
    services.assignment_create(
        actor=world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.data, due_days=5
    )
    assert Assignment.objects.count() == 2


def test_today_is_the_agency_s_own_date(world, course_a):
    world.a.time_zone = "Pacific/Honolulu"
    world.a.save(update_fields=["time_zone"])
    # 1 March 05:00 UTC is still 28 February in Honolulu: that date is today there.
    with at(datetime.datetime(2027, 3, 1, 5, tzinfo=datetime.UTC)):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_on=D(2027, 2, 28),
        )
        with pytest.raises(ValidationError):
            services.assignment_create(
                actor=world.a_manager,
                course=course_a,
                target=TargetKind.UNIT,
                unit=world.digital,
                due_on=D(2027, 2, 27),
            )


def test_service_refuses_a_zero_number_of_days(world, course_a, frozen):
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_days=0,
        )


def test_first_enrollment_counts_from_the_moment_of_assigning_not_the_task(
    world, course_a, django_capture_on_commit_callbacks
):
    """The background task may run late; people are still assigned when the manager assigned,
    with the assignment's date (never a late joiner's grace)."""
    with at(D(2027, 3, 1)):
        assignment = services.assignment_create(
            actor=world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.data,
            due_on=D(2027, 3, 3),
        )
    with at(D(2027, 3, 5)):
        services.assignment_materialise_batch(assignment_id=assignment.pk)
    row = Assignee.objects.get(user=world.a_learner)
    assert (row.due_on, row.period_start) == (D(2027, 3, 3), D(2027, 3, 1))


@pytest.fixture
def data_assignment(world, course_a, assign):
    """A standing required assignment to Data, made on 1 March, due 21 March."""
    with at(D(2027, 3, 1)):
        return assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.data,
            due_on=D(2027, 3, 21),
        )


def _move(person, unit, callbacks):
    membership = Membership.objects.get(user=person)
    with callbacks(execute=True):
        agency_services.membership_update(
            actor=membership.agency.memberships.get(role=Role.AGENCY_ADMIN).user,
            membership=membership,
            role=membership.role,
            unit=unit,
        )


def test_moving_into_a_unit_with_a_past_due_assignment_is_not_overdue_and_not_escalated(
    world, data_assignment, scan, django_capture_on_commit_callbacks
):
    with at(D(2027, 4, 15)):  # 25 days after the due date, well past the escalation
        _move(world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
        sent = scan()
    mover = Assignee.objects.get(user=world.a_ops_learner)
    assert mover.due_on == D(2027, 5, 15)  # today + REMINDERS_LATE_JOIN_DAYS (30)
    assert mover.period_start == D(2027, 4, 15)
    assert Enrollment.objects.get(user=world.a_ops_learner).due_on == D(2027, 5, 15)
    with at(D(2027, 4, 22)):
        sent += scan()
    about_mover = ReminderLog.objects.filter(enrollment=mover.enrollment)
    assert not about_mover.filter(kind__in=[Kind.OVERDUE, Kind.ESCALATION]).exists()
    assert not [m for m in sent if world.a_ops_learner.full_name in m.subject]
    assert not [m for m in sent if m.to == ["ops@a.gov"] and "Overdue" in m.subject]
    # The learner who was in Data all along is overdue, as before.
    assert ReminderLog.objects.filter(
        kind=Kind.ESCALATION, enrollment__user=world.a_learner
    ).exists()


def test_moving_into_a_unit_with_a_relative_assignment_counts_from_the_move(
    world, course_a, assign, django_capture_on_commit_callbacks
):
    with at(D(2027, 3, 1)):
        assign(
            world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.data, due_days=10
        )
    with at(D(2027, 4, 15)):
        _move(world.a_ops_learner, world.data, django_capture_on_commit_callbacks)
    assert Assignee.objects.get(user=world.a_ops_learner).due_on == D(2027, 4, 25)


def test_scan_never_counts_lateness_from_before_the_assignment(world, course_a, assign, scan):
    """A row whose due date is before the day the person was assigned (made before due dates
    were checked) is treated as due on that day: "due today", no overdue notice, no
    escalation; overdue only a policy step later."""
    with at(D(2027, 3, 1)):
        assign(
            world.a_manager,
            course=course_a,
            target=TargetKind.PEOPLE,
            people=[world.a_learner],
            due_on=D(2027, 3, 21),
        )
    Assignee.objects.filter(user=world.a_learner).update(due_on=D(2020, 1, 1))
    with at(D(2027, 3, 1)):
        sent = scan()
    assert [m.subject for m in sent if m.to == ["learner@a.gov"]] == ["Due today: “Intro to AI”"]
    assert not ReminderLog.objects.filter(kind__in=[Kind.OVERDUE, Kind.ESCALATION]).exists()
    with at(D(2027, 3, 8)):
        sent = scan()
    kinds = set(ReminderLog.objects.values_list("kind", flat=True))
    assert {Kind.OVERDUE, Kind.ESCALATION} <= kinds


def test_newcomer_placed_after_the_task_gets_standing_assignment_with_own_date(
    world, data_assignment, django_capture_on_commit_callbacks
):
    with at(D(2027, 3, 25)):
        newcomer = make_member(world.a, Role.LEARNER, world.ops, email="late@a.gov")
        _move(newcomer, world.data, django_capture_on_commit_callbacks)
    assert Assignee.objects.get(user=newcomer).due_on == D(2027, 4, 24)
