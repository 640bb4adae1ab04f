"""The role ladder (agencies.access.Actor): one policy for "administers this agency", "sees this
unit subtree", "sees this person", and the filter that says the same in SQL."""

import pytest

from agencies.access import actor_for, units_visible_to
from agencies.models import AuditEvent, Membership, Role, Unit
from agencies.services import audit_record
from tests.builders import make_member

pytestmark = pytest.mark.django_db

A_PEOPLE = ("a_admin", "a_manager", "a_trainer", "a_learner", "a_ops_learner")


def test_platform_admin_administers_and_sees_every_agency(world):
    actor = actor_for(world.platform_admin)
    assert actor.administers_agency(world.a.pk) and actor.administers_agency(world.b.pk)
    assert all(actor.manages_unit(unit) for unit in Unit.objects.all())
    assert actor.sees_member(
        agency_id=world.b.pk, unit_path=world.branch.path, user_id=world.b_learner.pk
    )


def test_agency_admin_administers_their_agency_and_not_the_other(world):
    a_admin, b_admin = actor_for(world.a_admin), actor_for(world.b_admin)
    assert a_admin.administers_agency(world.a.pk)
    assert not a_admin.administers_agency(world.b.pk)
    assert not b_admin.administers_agency(world.a.pk)
    assert not a_admin.administers_agency(None)
    assert all(a_admin.manages_unit(u) for u in (world.hq, world.digital, world.data, world.ops))
    assert not a_admin.manages_unit(world.branch)
    # Members without a unit are the admins' to see.
    assert a_admin.sees_member(agency_id=world.a.pk, unit_path=None, user_id=world.a_admin.pk)
    assert not a_admin.sees_member(
        agency_id=world.b.pk, unit_path=world.branch.path, user_id=world.b_learner.pk
    )


def test_manager_sees_their_subtree_but_not_a_sibling_or_a_parent(world):
    manager = actor_for(world.a_manager)  # manages Digital (and Data below it)
    assert not manager.administers_agency(world.a.pk)
    assert manager.manages_unit(world.digital) and manager.manages_unit(world.data)
    assert not manager.manages_unit(world.ops)  # sibling
    assert not manager.manages_unit(world.hq)  # parent
    assert not manager.manages_unit(world.branch)  # other agency
    assert manager.sees_unit_path(world.a.pk, world.data.path)
    # The same path in another agency is not theirs (paths are compared within the agency).
    assert not manager.sees_unit_path(world.b.pk, world.data.path)
    assert manager.sees_member(
        agency_id=world.a.pk, unit_path=world.data.path, user_id=world.a_learner.pk
    )
    assert not manager.sees_member(
        agency_id=world.a.pk, unit_path=world.ops.path, user_id=world.a_ops_learner.pk
    )
    assert not manager.sees_member(agency_id=world.a.pk, unit_path=None, user_id=world.a_admin.pk)


@pytest.mark.parametrize("who", ["a_learner", "a_trainer"])
def test_learner_and_trainer_see_only_themselves(world, who):
    actor = actor_for(getattr(world, who))
    assert not actor.administers_agency(world.a.pk)
    assert not any(actor.manages_unit(unit) for unit in Unit.objects.all())
    me = Membership.objects.select_related("unit").get(user=getattr(world, who))
    assert actor.sees_member(agency_id=world.a.pk, unit_path=me.unit.path, user_id=me.user_id)
    assert not actor.sees_member(
        agency_id=world.a.pk, unit_path=world.ops.path, user_id=world.a_ops_learner.pk
    )


@pytest.mark.parametrize("who", A_PEOPLE)
def test_nobody_of_agency_a_sees_or_administers_agency_b(world, who):
    actor = actor_for(getattr(world, who))
    assert not actor.administers_agency(world.b.pk)
    assert not actor.manages_unit(world.branch)
    for person in (world.b_admin, world.b_manager, world.b_learner):
        assert not actor.sees_member(
            agency_id=world.b.pk, unit_path=world.branch.path, user_id=person.pk
        )
    assert not Membership.objects.filter(actor.rows_q(user_field="user"), agency=world.b).exists()
    assert not units_visible_to(getattr(world, who)).filter(agency=world.b).exists()


@pytest.mark.parametrize("who", [*A_PEOPLE, "b_admin", "b_manager", "b_learner", "platform_admin"])
def test_rows_q_says_in_sql_what_the_predicates_say(world, who):
    actor = actor_for(getattr(world, who))
    visible = set(
        Membership.objects.filter(actor.rows_q(user_field="user")).values_list("pk", flat=True)
    )
    for m in Membership.objects.select_related("unit"):
        expected = actor.sees_member(
            agency_id=m.agency_id, unit_path=m.unit.path if m.unit_id else None, user_id=m.user_id
        )
        assert (m.pk in visible) == expected, m
    units = set(units_visible_to(getattr(world, who)).values_list("pk", flat=True))
    assert units == {u.pk for u in Unit.objects.all() if actor.manages_unit(u)}


def test_rows_q_without_a_user_field_or_a_unit_path_narrows_to_the_admins(world):
    assert not Membership.objects.filter(actor_for(world.a_learner).rows_q()).exists()
    for agency in (world.a, world.b):
        audit_record(
            actor=None, agency=agency, action="test.event", outcome=AuditEvent.Outcome.SUCCESS
        )
    events = AuditEvent.objects.filter(action="test.event")
    no_units = {"unit_path_field": None}
    assert not events.filter(actor_for(world.a_manager).rows_q(**no_units)).exists()
    assert set(
        events.filter(actor_for(world.a_admin).rows_q(**no_units)).values_list(
            "agency_id", flat=True
        )
    ) == {world.a.pk}
    assert events.filter(actor_for(world.platform_admin).rows_q(**no_units)).count() == 2


def test_manager_without_a_unit_sees_only_themself(world):
    loose = make_member(world.a, Role.MANAGER, None, email="loose@a.gov")
    actor = actor_for(loose)
    assert not actor.manages_unit(world.hq)
    assert set(
        Membership.objects.filter(actor.rows_q(user_field="user")).values_list("user_id", flat=True)
    ) == {loose.pk}
    assert not units_visible_to(loose).exists()


def test_a_user_without_membership_sees_nothing(world):
    from tests.factories import UserFactory

    actor = actor_for(UserFactory(email="nobody@example.com"))
    assert not actor.administers_agency(world.a.pk)
    assert not actor.sees_member(agency_id=None, unit_path=None, user_id=actor.user_id)
    assert not Membership.objects.filter(actor.rows_q(user_field="user")).exists()
