"""One rule for what an assignment does to an existing enrollment, on both paths.

The single path (`enrollment_create` with terms) and the bulk path (`enrollments_assign`, which
assignments use) must agree; docs/reminders.md states the rule.
"""

import datetime

import pytest

from learning import services
from learning.models import Enrollment
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import finish_course

pytestmark = pytest.mark.django_db

EARLY, LATE = datetime.date(2031, 1, 10), datetime.date(2031, 6, 30)


def assign_single(world, course, *, required, due_on):
    services.enrollment_create(
        user=world.a_learner, course=course, required=required, due_on=due_on
    )


def assign_bulk(world, course, *, required, due_on):
    services.enrollments_assign(
        agency_id=world.a.pk,
        course=course,
        members=[(world.a_learner.pk, world.data.pk)],
        required=required,
        due_on=due_on,
    )


PATHS = [pytest.param(assign_single, id="single"), pytest.param(assign_bulk, id="bulk")]


def stored(world, course):
    row = Enrollment.objects.get(user=world.a_learner, course=course)
    return row.required, row.due_on


def in_step(world):
    return aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []


@pytest.mark.parametrize("assign", PATHS)
def test_recommended_assignment_brings_an_open_due_date_forward(world, course, assign):
    services.enrollment_create(user=world.a_learner, course=course, required=True, due_on=LATE)
    assign(world, course, required=False, due_on=EARLY)
    assert stored(world, course) == (True, EARLY)  # stays required, due earlier
    assert in_step(world)


@pytest.mark.parametrize("assign", PATHS)
def test_an_assignment_never_pushes_a_due_date_back(world, course, assign):
    services.enrollment_create(user=world.a_learner, course=course, required=False, due_on=EARLY)
    assign(world, course, required=True, due_on=LATE)
    assert stored(world, course) == (True, EARLY)
    assert in_step(world)


@pytest.mark.parametrize("assign", PATHS)
def test_recommended_assignment_gives_a_self_enrollment_its_date_but_not_required(
    world, course, assign
):
    services.enrollment_create(user=world.a_learner, course=course)
    assign(world, course, required=False, due_on=EARLY)
    assert stored(world, course) == (False, EARLY)
    assert in_step(world)


@pytest.mark.parametrize("assign", PATHS)
def test_required_assignment_counts_a_completed_enrollment_and_keeps_its_history(
    world, course, assign
):
    enrollment = services.enrollment_create(
        user=world.a_learner, course=course, due_on=LATE, required=False
    )
    finish_course(enrollment)
    assign(world, course, required=True, due_on=EARLY)
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert stored(world, course) == (True, LATE)  # required now; the due date is history
    assert in_step(world)


@pytest.mark.parametrize("assign", PATHS)
def test_new_enrollment_takes_the_assignments_terms(world, course, assign):
    assign(world, course, required=False, due_on=EARLY)
    assert stored(world, course) == (False, EARLY)
    assert in_step(world)


def test_rule_table():
    rule = services.assignment_terms
    assert rule(required_now=False, due_now=None, completed=False, required=True, due_on=EARLY) == (
        True,
        EARLY,
    )
    assert rule(required_now=True, due_now=EARLY, completed=False, required=False, due_on=None) == (
        True,
        EARLY,
    )
    assert rule(required_now=False, due_now=LATE, completed=True, required=False, due_on=EARLY) == (
        False,
        LATE,
    )
