import pytest

from academy.registry import AlreadyRegistered
from courses.models import Course
from reminders.assignables import COURSE, PATH
from reminders.forms import AssignmentForm
from reminders.models import TargetKind
from reminders.registries import AssignableKind, assignable_kind_of, assignable_kinds
from reminders.services.assignments import assignment_courses

from .conftest import T0


def test_built_in_kinds_are_course_then_path_and_decide_what_an_assignment_enrolls(
    world, course_a, assign, frozen
):
    assert assignable_kinds.items() == [("course", COURSE), ("path", PATH)]
    assignment = assign(
        world.a_manager,
        course=course_a,
        target=TargetKind.PEOPLE,
        people=[world.a_learner],
        due_on=T0.date(),
    )
    assert assignable_kind_of(assignment) is COURSE
    assert assignment_courses(assignment) == [course_a]


def test_a_registered_kind_is_offered_by_the_assignment_form(world, course_a):
    session = AssignableKind(
        field="session",
        label="or a live session",
        choices=lambda agency_id: Course.objects.all(),
        courses=lambda assignment: [],
    )
    with assignable_kinds.temporary():
        assignable_kinds.register("session", session)
        with pytest.raises(AlreadyRegistered):
            assignable_kinds.register("course", session)
        form = AssignmentForm(
            {
                "session": course_a.pk,
                "target": TargetKind.PEOPLE,
                "people": world.a_learner.email,
                "due_kind": "date",
                "due_on": "2030-01-01",
            },
            user=world.a_manager,
        )
        assert [f.name for f in form.item_fields] == ["course", "path", "session"]
        assert list(form.fields)[:3] == ["course", "path", "session"]
        assert form.is_valid(), form.errors
        assert form.items() == {"course": None, "path": None, "session": course_a}

    assert "session" not in AssignmentForm(user=world.a_manager).fields
