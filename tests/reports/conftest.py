"""A hand-computed world for the dashboard tests, built through the services.

Agency A (from `world`): HQ > Digital > Data, HQ > Ops; two more learners (d2 in Data, o2 in
Ops); courses c1 and c2 (two lessons each, owned by A) and cb (owned by B). Timeline:

  2025-02-20  everyone enrolled. c1 is required for a_learner (due 03-01), d2 (due 03-05),
              ops (due 03-20) and o2 (due 03-10); c2 is optional for a_learner, ops, manager.
              b_learner: cb required, due 03-01.
  03-01       a_learner starts c1;  03-02 ops starts c1 and c2, o2 starts c1
  03-03       a_learner completes c1 (2 days);  03-05 a_learner starts c2
  03-10       ops completes c2 (8 days)
  "today" is 2025-03-12: d2/c1 and o2/c1 are overdue in A, b_learner/cb in B.
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from accounts.services import user_first_sign_in
from learning import services as learning
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import complete_lesson, make_member, simple_course

TODAY = datetime.date(2025, 3, 12)


def at(day, hour=9):
    return time_machine.travel(datetime.datetime(2025, *day, hour, tzinfo=datetime.UTC), tick=False)


def settle(*agencies):
    """Bring the aggregates in step with the enrollments; returns the drift that was found."""
    return [d for agency in agencies for d in aggregates_recompute_agency(agency_id=agency.pk)]


@pytest.fixture
def dash(world):
    w = world
    with at((2, 20)):
        c1 = simple_course(w.a_trainer, w.a, slug="c1", title="Course One")
        c2 = simple_course(w.a_trainer, w.a, slug="c2", title="Course Two")
        cb = simple_course(w.b_admin, w.b, slug="cb", title="Course B")
        d2 = make_member(w.a, unit=w.data, email="d2@a.gov")
        o2 = make_member(w.a, unit=w.ops, email="o2@a.gov")
        e = SimpleNamespace(
            learner_c1=learning.enrollment_create(
                user=w.a_learner, course=c1, required=True, due_on=datetime.date(2025, 3, 1)
            ),
            d2_c1=learning.enrollment_create(
                user=d2, course=c1, required=True, due_on=datetime.date(2025, 3, 5)
            ),
            ops_c1=learning.enrollment_create(
                user=w.a_ops_learner, course=c1, required=True, due_on=datetime.date(2025, 3, 20)
            ),
            o2_c1=learning.enrollment_create(
                user=o2, course=c1, required=True, due_on=datetime.date(2025, 3, 10)
            ),
            learner_c2=learning.enrollment_create(user=w.a_learner, course=c2),
            ops_c2=learning.enrollment_create(user=w.a_ops_learner, course=c2),
            manager_c2=learning.enrollment_create(user=w.a_manager, course=c2),
            b_cb=learning.enrollment_create(
                user=w.b_learner, course=cb, required=True, due_on=datetime.date(2025, 3, 1)
            ),
        )
    with at((3, 1)):
        complete_lesson(e.learner_c1, "one")
    with at((3, 2)):
        complete_lesson(e.ops_c1, "one")
        complete_lesson(e.ops_c2, "one")
        complete_lesson(e.o2_c1, "one")
    with at((3, 3)):
        complete_lesson(e.learner_c1, "two")
    with at((3, 5)):
        complete_lesson(e.learner_c2, "one")
    with at((3, 10)):
        complete_lesson(e.ops_c2, "two")
    with at((3, 1)):
        for user in (w.a_learner, w.a_ops_learner):
            user_first_sign_in(user=user)
    # The learning services keep the aggregates in step: nothing to repair.
    assert settle(w.a, w.b) == []
    return SimpleNamespace(w=w, c1=c1, c2=c2, cb=cb, d2=d2, o2=o2, e=e)
