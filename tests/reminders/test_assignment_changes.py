"""Editing an assignment: its due date for everyone, and one person's extension or exemption,
each with a reason, audited, shown on the assignment's page, and followed by reminders."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies.models import AuditEvent, Membership, Role
from agencies.services import membership_update
from learning.models import Enrollment
from reminders import services
from reminders.models import Assignee, AssignmentException, Kind, ReminderLog, TargetKind
from tests.builders import make_member

pytestmark = pytest.mark.django_db
D = datetime.date
DUE = D(2027, 3, 21)


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def digital(world, course_a, assign, frozen):
    """Digital (manager, trainer, and the learner in Data below it), due 21 March."""
    return assign(
        world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.digital, due_on=DUE
    )


def due_dates():
    return dict(Assignee.objects.values_list("user__email", "due_on"))


def enrollment_terms(user):
    row = Enrollment.objects.get(user=user)
    return row.required, row.due_on


def test_changing_the_due_date_moves_everyone_and_their_enrollments(world, digital):
    changed = services.assignment_update_due(
        actor=world.a_manager, assignment=digital, due_on=D(2027, 4, 30), reason="Audit moved"
    )
    assert changed == 3
    assert set(due_dates().values()) == {D(2027, 4, 30)}
    assert enrollment_terms(world.a_learner) == (True, D(2027, 4, 30))
    digital.refresh_from_db()
    assert digital.due_on == D(2027, 4, 30)
    event = AuditEvent.objects.get(action="assignment.update")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.detail["reason"] == "Audit moved"
    assert event.detail["before"]["due_on"] == "2027-03-21"
    assert event.detail["after"]["due_on"] == "2027-04-30"


def test_changing_to_a_number_of_days_counts_from_each_persons_assignment(world, digital):
    services.assignment_update_due(
        actor=world.a_manager, assignment=digital, due_days=10, reason="Relative now"
    )
    assert set(due_dates().values()) == {D(2027, 3, 11)}  # assigned on 1 March


def test_due_date_change_refuses_the_past_and_a_missing_reason(world, digital):
    with pytest.raises(ValidationError):
        services.assignment_update_due(
            actor=world.a_manager, assignment=digital, due_on=D(2027, 2, 1), reason="Oops"
        )
    with pytest.raises(ValidationError):
        services.assignment_update_due(
            actor=world.a_manager, assignment=digital, due_on=D(2027, 4, 1), reason="  "
        )
    assert set(due_dates().values()) == {DUE}
    assert set(
        AuditEvent.objects.filter(action="assignment.update").values_list("outcome", flat=True)
    ) == {AuditEvent.Outcome.REJECTED}


def test_extension_gives_one_person_a_later_date_that_survives_a_date_change(world, digital, scan):
    learner = Assignee.objects.get(user=world.a_learner)
    services.assignee_extend(
        actor=world.a_manager, assignee=learner, due_on=D(2027, 5, 31), reason="Long leave"
    )
    assert enrollment_terms(world.a_learner) == (True, D(2027, 5, 31))
    services.assignment_update_due(
        actor=world.a_manager, assignment=digital, due_on=D(2027, 4, 30), reason="Later"
    )
    assert due_dates() == {
        "manager@a.gov": D(2027, 4, 30),
        "trainer@a.gov": D(2027, 4, 30),
        "learner@a.gov": D(2027, 5, 31),
    }
    exception = AssignmentException.objects.get()
    assert (exception.kind, exception.previous_due_on, exception.reason) == (
        "extension",
        DUE,
        "Long leave",
    )
    assert AuditEvent.objects.get(action="assignment.extend").detail["reason"] == "Long leave"
    # Reminders follow the extended date: nothing overdue for them in early May.
    with at(D(2027, 5, 10)):
        scan()
    assert not ReminderLog.objects.filter(
        enrollment__user=world.a_learner, kind__in=[Kind.OVERDUE, Kind.ESCALATION]
    ).exists()


def test_extension_must_be_later_and_not_in_the_past(world, digital):
    learner = Assignee.objects.get(user=world.a_learner)
    for day in (D(2027, 2, 1), D(2027, 3, 10)):
        with pytest.raises(ValidationError):
            services.assignee_extend(
                actor=world.a_manager, assignee=learner, due_on=day, reason="No"
            )
    assert not AssignmentException.objects.exists()


def test_exemption_stops_reminders_and_makes_the_training_optional(world, digital, scan):
    with at(D(2027, 3, 14)):
        scan()  # a "coming due" reminder decided and sent
    learner = Assignee.objects.get(user=world.a_learner)
    services.assignee_exempt(actor=world.a_manager, assignee=learner, reason="Already certified")
    learner.refresh_from_db()
    assert (learner.is_active, learner.exception) == (False, "exemption")
    assert enrollment_terms(world.a_learner) == (False, None)
    before = ReminderLog.objects.filter(enrollment__user=world.a_learner).count()
    with at(D(2027, 4, 10)):
        scan()
    assert ReminderLog.objects.filter(enrollment__user=world.a_learner).count() == before
    assert not ReminderLog.objects.filter(
        kind=Kind.ESCALATION, enrollment__user=world.a_learner
    ).exists()
    assert AuditEvent.objects.get(action="assignment.exempt").outcome == "success"
    with pytest.raises(ValidationError):
        services.assignee_exempt(actor=world.a_manager, assignee=learner, reason="Twice")


def test_extending_an_exempt_person_brings_them_back(world, digital):
    learner = Assignee.objects.get(user=world.a_learner)
    services.assignee_exempt(actor=world.a_manager, assignee=learner, reason="Mistake")
    services.assignee_extend(
        actor=world.a_manager, assignee=learner, due_on=D(2027, 3, 15), reason="Undo"
    )
    learner.refresh_from_db()
    assert (learner.is_active, learner.due_on, learner.exception) == (
        True,
        D(2027, 3, 15),
        "extension",
    )
    assert enrollment_terms(world.a_learner) == (True, D(2027, 3, 15))


def test_manager_cannot_change_someone_outside_their_units(world, course_a, assign, frozen):
    ops_manager = make_member(world.a, Role.MANAGER, world.ops, email="opsmanager@a.gov")
    assignment = assign(
        ops_manager, course=course_a, target=TargetKind.UNIT, unit=world.ops, due_on=DUE
    )
    person = Assignee.objects.get(user=world.a_ops_learner)
    membership = Membership.objects.get(user=world.a_ops_learner)
    membership_update(
        actor=world.a_admin, membership=membership, role=membership.role, unit=world.data
    )
    person.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.assignee_extend(
            actor=ops_manager, assignee=person, due_on=D(2027, 4, 1), reason="Not mine"
        )
    with pytest.raises(PermissionDenied):
        services.assignee_exempt(actor=world.b_manager, assignee=person, reason="Not mine")
    with pytest.raises(PermissionDenied):
        services.assignment_update_due(
            actor=world.b_admin, assignment=assignment, due_on=D(2027, 4, 1), reason="No"
        )
    assert not AssignmentException.objects.exists()
    # The manager who sees them now may.
    services.assignee_extend(
        actor=world.a_manager, assignee=person, due_on=D(2027, 4, 1), reason="Moved to us"
    )


# Pages


def detail(assignment):
    return reverse("reminders:assignment_detail", args=[assignment.pk])


def edit(assignment):
    return reverse("reminders:assignment_edit", args=[assignment.pk])


def exception_page(assignment, assignee):
    return reverse("reminders:assignee_exception", args=[assignment.pk, assignee.pk])


def test_manager_extends_and_exempts_from_the_detail_page(world, digital, client_for):
    client = client_for(world.a_manager)
    learner = Assignee.objects.get(user=world.a_learner)
    trainer = Assignee.objects.get(user=world.a_trainer)
    page = client.get(detail(digital)).content.decode()
    assert exception_page(digital, learner) in page and edit(digital) in page
    response = client.post(
        exception_page(digital, learner),
        {"kind": "extension", "due_on": "2027-04-30", "reason": "Long leave"},
    )
    assert response.status_code == 302 and response["Location"] == detail(digital)
    response = client.post(
        exception_page(digital, trainer), {"kind": "exemption", "reason": "Wrote the course"}
    )
    assert response.status_code == 302
    page = client.get(detail(digital)).content.decode()
    assert "Long leave" in page and "Wrote the course" in page and "Exempt" in page


def test_exception_form_keeps_input_and_shows_the_refusal(world, digital, client_for):
    client = client_for(world.a_manager)
    learner = Assignee.objects.get(user=world.a_learner)
    response = client.post(
        exception_page(digital, learner),
        {"kind": "extension", "due_on": "2027-03-10", "reason": "Earlier?"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "must be later" in html and "Earlier?" in html
    response = client.post(exception_page(digital, learner), {"kind": "extension"})
    assert "Give the new due date." in response.content.decode()
    assert not AssignmentException.objects.exists()


def test_manager_changes_the_due_date_with_a_reason(world, digital, client_for):
    client = client_for(world.a_manager)
    assert client.get(edit(digital)).status_code == 200
    response = client.post(
        edit(digital), {"due_kind": "date", "due_on": "2027-02-01", "reason": "Oops"}
    )
    assert "cannot be before today" in response.content.decode()
    response = client.post(
        edit(digital), {"due_kind": "date", "due_on": "2027-04-30", "reason": "Audit moved"}
    )
    assert response.status_code == 302
    page = client.get(detail(digital)).content.decode()
    assert "Audit moved" in page and "2027-04-30" in page


@pytest.mark.parametrize("who", ["b_admin", "b_manager", "a_learner"])
def test_other_agencies_and_learners_get_404_on_the_edit_pages(world, digital, client_for, who):
    client = client_for(getattr(world, who))
    learner = Assignee.objects.get(user=world.a_learner)
    assert client.get(edit(digital)).status_code == 404
    assert client.get(exception_page(digital, learner)).status_code == 404
    assert (
        client.post(
            exception_page(digital, learner), {"kind": "exemption", "reason": "x"}
        ).status_code
        == 404
    )
    assert not AssignmentException.objects.exists()


def test_manager_of_a_unit_gets_404_for_someone_outside_it(
    world, course_a, assign, frozen, client_for
):
    ops_manager = make_member(world.a, Role.MANAGER, world.ops, email="opsmanager@a.gov")
    assignment = assign(
        ops_manager, course=course_a, target=TargetKind.UNIT, unit=world.ops, due_on=DUE
    )
    person = Assignee.objects.get(user=world.a_ops_learner)
    membership = Membership.objects.get(user=world.a_ops_learner)
    membership_update(
        actor=world.a_admin, membership=membership, role=membership.role, unit=world.data
    )
    client = client_for(ops_manager)
    assert client.get(detail(assignment)).status_code == 200
    assert client.get(exception_page(assignment, person)).status_code == 404


def test_an_assignee_of_another_assignment_is_404(world, digital, course_a, assign, client_for):
    other = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=DUE,
    )
    stranger = Assignee.objects.get(assignment=other)
    client = client_for(world.a_manager)
    assert client.get(exception_page(digital, stranger)).status_code == 404


def test_edit_pages_run_an_exact_number_of_queries(
    world, digital, client_for, django_assert_num_queries
):
    client = client_for(world.a_manager)
    learner = Assignee.objects.get(user=world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(edit(digital))
    # User, the assignment (the session and the membership come from the cache, and the
    # session is renewed at most once a minute).
    with django_assert_num_queries(2):
        assert client.get(edit(digital)).status_code == 200
    # The same, and the person.
    with django_assert_num_queries(3):
        assert client.get(exception_page(digital, learner)).status_code == 200
