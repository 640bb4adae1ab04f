"""Removing an assignment: reminders stop, open training keeps only what others still require."""

import datetime

import pytest

from learning.models import Enrollment
from reminders import services
from reminders.models import TargetKind
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import finish_course

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)
LATER = datetime.date(2027, 6, 30)


def _enrollment(user, course):
    return Enrollment.objects.get(user=user, course=course)


def test_removing_the_only_assignment_makes_open_training_optional(world, course_a, assign, frozen):
    assignment = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=DUE,
    )
    services.assignment_remove(actor=world.a_manager, assignment=assignment)

    enrollment = _enrollment(world.a_learner, course_a)
    assert (enrollment.required, enrollment.due_on) == (False, None)
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []


def test_another_live_assignment_keeps_the_training_required(world, course_a, assign, frozen):
    first = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=DUE,
    )
    assign(world.a_admin, course=course_a, target=TargetKind.UNIT, unit=world.hq, due_on=LATER)
    services.assignment_remove(actor=world.a_manager, assignment=first)

    enrollment = _enrollment(world.a_learner, course_a)
    assert (enrollment.required, enrollment.due_on) == (True, LATER)
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []


def test_completed_training_keeps_its_history_when_the_assignment_goes(
    world, course_a, assign, frozen
):
    assignment = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=DUE,
    )
    finish_course(_enrollment(world.a_learner, course_a))
    services.assignment_remove(actor=world.a_manager, assignment=assignment)

    enrollment = _enrollment(world.a_learner, course_a)
    assert (enrollment.required, enrollment.due_on, enrollment.is_completed) == (True, DUE, True)
