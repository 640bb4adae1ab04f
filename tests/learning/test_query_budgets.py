"""Hot services cost an exact number of queries (the budgets of issue 9), whatever the size.

Each test prints the SQL when the count differs (pytest-django's django_assert_num_queries).
Later features that add rows to the same transactions must insert in bulk and stay inside
these budgets: raise a number only with a reason in the commit message.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from agencies.services import membership_update
from learning import services as learning
from policies.cells import agency_has_policy
from reminders.models import Assignment, TargetKind
from reminders.services import assignment_materialise_batch
from tests.builders import make_member, right_answers

pytestmark = pytest.mark.django_db

QUIZ_SUBMIT_COMPLETING = 21  # budget: at most 25
MEMBER_MOVE_ONE_ENROLLMENT = 15  # budget: at most 15
ASSIGNMENT_BATCH = 21  # any batch size, one unit, one course (PostgreSQL)


def _ready_to_pass(enrollment):
    for key in ("what-is-ai", "history", "prompts"):
        learning.lesson_complete(enrollment=enrollment, lesson_key=key)
    return learning.attempt_start(enrollment=enrollment, quiz_key="check")


def test_quiz_submission_that_completes_a_course(world, course, django_assert_num_queries):
    # A first completion in this cell, so the aggregate rows are created as well as updated.
    enrollment = learning.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=datetime.date(2031, 1, 1)
    )
    attempt = _ready_to_pass(enrollment)
    answers = right_answers(attempt)
    with django_assert_num_queries(QUIZ_SUBMIT_COMPLETING):
        learning.attempt_submit(attempt=attempt, answers=answers)
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.certificate


def test_moving_a_member_with_one_enrollment(world, course, django_assert_num_queries):
    learning.enrollment_create(user=world.a_learner, course=course)
    membership = Membership.objects.select_related("user", "agency", "unit").get(
        user=world.a_learner
    )
    agency_has_policy(world.a.pk)  # warm the shared cache, as a running site has it
    with django_assert_num_queries(MEMBER_MOVE_ONE_ENROLLMENT):
        membership_update(
            actor=world.a_admin, membership=membership, role=membership.role, unit=world.ops
        )


def _batch_queries(world, course, size: int, name: str) -> list[str]:
    from agencies.services import unit_create
    from reminders.services import assignment_create

    unit = unit_create(actor=world.a_admin, agency=world.a, name=name, parent=world.hq)
    for n in range(size):
        make_member(world.a, unit=unit, email=f"{name}-{n}@a.gov")
    assignment = assignment_create(
        actor=world.a_admin,
        course=course,
        target=TargetKind.UNIT,
        unit=unit,
        due_on=datetime.date(2031, 3, 1),
    )
    with CaptureQueriesContext(connection) as captured:
        assert assignment_materialise_batch(assignment_id=assignment.pk, batch_size=500)
    assert Assignment.objects.get(pk=assignment.pk).people_done == size
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's parameter limit splits bulk inserts into several",
)
def test_assignment_batch_costs_the_same_for_200_people_as_for_20(world, course):
    # A first batch fills the caches a batch reads (the agency's xAPI answer: one query the
    # first time in an hour, xapi.services._config_id), so the counts below are the steady ones.
    _batch_queries(world, course, 1, "warm")
    small = _batch_queries(world, course, 20, "small")
    large = _batch_queries(world, course, 200, "large")
    if len(small) != ASSIGNMENT_BATCH or len(large) != ASSIGNMENT_BATCH:
        print("\n".join(large))
    assert (len(small), len(large)) == (ASSIGNMENT_BATCH, ASSIGNMENT_BATCH)
