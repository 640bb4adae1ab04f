import pytest

from agencies import selectors, services
from agencies.access import (
    access_membership,
    access_unit,
    actor_for,
    members_visible_to,
    scope_q,
    units_visible_to,
)
from agencies.models import AuditEvent, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def emails(memberships):
    return {m.user.email for m in memberships}


def test_scope_q_for_platform_admin_sees_everyone(world):
    assert Membership.objects.filter(scope_q(world.platform_admin)).count() == 8


def test_scope_q_for_agency_admin_is_own_agency(world):
    visible = Membership.objects.filter(scope_q(world.a_admin)).select_related("user")
    assert emails(visible) == {
        "admin@a.gov",
        "manager@a.gov",
        "trainer@a.gov",
        "learner@a.gov",
        "ops@a.gov",
    }


def test_scope_q_for_manager_is_own_unit_subtree(world):
    visible = Membership.objects.filter(scope_q(world.a_manager)).select_related("user")
    assert emails(visible) == {"manager@a.gov", "trainer@a.gov", "learner@a.gov"}


@pytest.mark.parametrize("who", ["a_learner", "a_trainer"])
def test_scope_q_for_learner_and_trainer_is_only_self(world, who):
    user = getattr(world, who)
    visible = Membership.objects.filter(scope_q(user)).select_related("user")
    assert emails(visible) == {user.email}


def test_scope_q_for_user_without_agency_is_empty(world):
    assert not Membership.objects.filter(scope_q(UserFactory())).exists()


def test_deactivated_member_loses_their_scope(world):
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_manager.membership, active=False
    )
    world.a_manager.refresh_from_db()
    assert actor_for(world.a_manager).agency_id is None
    assert not members_visible_to(world.a_manager).exists()


def test_member_list_for_manager_excludes_sibling_units_and_other_agency(world):
    members = selectors.member_list(user=world.a_manager)
    assert emails(members) == {"manager@a.gov", "trainer@a.gov", "learner@a.gov"}
    assert "ops@a.gov" not in emails(members)


def test_member_list_search_and_unit_filter_stay_in_scope(world):
    assert emails(selectors.member_list(user=world.a_manager, search="learner")) == {
        "learner@a.gov"
    }
    assert emails(selectors.member_list(user=world.a_manager, search="b.gov")) == set()
    assert emails(selectors.member_list(user=world.a_admin, unit=world.digital)) == {
        "manager@a.gov",
        "trainer@a.gov",
        "learner@a.gov",
    }


def test_unit_tree_for_manager_is_own_subtree_with_member_counts(world):
    units = list(selectors.unit_tree(user=world.a_manager))
    assert [u.name for u in units] == ["Digital", "Data"]
    assert [u.member_count for u in units] == [2, 1]


def test_audit_log_of_agency_admin_excludes_other_agency_events(world):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="x@a.gov")
    services.invitation_create(actor=world.b_admin, agency=world.b, email="y@b.gov")
    assert {e.target for e in selectors.audit_log(user=world.a_admin)} == {"x@a.gov"}
    assert {e.target for e in selectors.audit_log(user=world.b_admin)} == {"y@b.gov"}
    assert selectors.audit_log(user=world.platform_admin).count() == 2
    assert not selectors.audit_log(user=world.a_manager).exists()


def test_audit_log_filters_by_action_prefix(world):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="x@a.gov")
    services.unit_create(actor=world.a_admin, agency=world.a, name="New", parent=None)
    assert [e.action for e in selectors.audit_log(user=world.a_admin, action_prefix="unit.")] == [
        "unit.create"
    ]
    assert AuditEvent.objects.count() == 2


def test_agency_list_counts_active_members(world):
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    counts = {a.slug: a.member_count for a in selectors.agency_list(user=world.platform_admin)}
    assert counts == {"agency-a": 4, "agency-b": 3}
    assert [a.slug for a in selectors.agency_list(user=world.a_admin)] == ["agency-a"]


def test_access_helpers_answer_404_outside_scope(world):
    from django.http import Http404

    with pytest.raises(Http404):
        access_unit(world.a_manager, world.ops.pk)
    with pytest.raises(Http404):
        access_unit(world.b_admin, world.hq.pk)
    with pytest.raises(Http404):
        access_membership(world.a_manager, world.a_ops_learner.membership.pk)
    with pytest.raises(Http404):
        access_membership(world.a_learner, world.a_learner.membership.pk)
    with pytest.raises(Http404):
        access_unit(world.a_admin, "not-a-number")
    assert access_unit(world.a_manager, world.data.pk) == world.data
    assert set(units_visible_to(world.b_manager)) == {world.branch}


def test_ancestor_paths_are_nearest_first(world):
    assert selectors.ancestor_paths(world.data.path) == [
        world.data.path,
        world.digital.path,
        world.hq.path,
    ]


def test_nearest_manager_skips_deactivated_managers(world):
    from agencies.models import Role
    from tests.builders import make_member

    # A manager of Data whose account was switched off (membership still active), and one
    # deactivated through the service: neither is anyone's manager any more.
    make_member(world.a, Role.MANAGER, world.data, email="gone@a.gov", is_active=False)
    left = make_member(world.a, Role.MANAGER, world.data, email="left@a.gov")
    services.membership_set_active(actor=world.a_admin, membership=left.membership, active=False)
    managers = selectors.managers_up_the_tree([world.data.path])
    assert selectors.nearest_managers(managers, world.data.path) == [world.a_manager]


def test_nearest_manager_is_never_the_person_themself(world):
    from agencies.models import Role
    from tests.builders import make_member

    data_manager = make_member(world.a, Role.MANAGER, world.data, email="datamgr@a.gov")
    managers = selectors.managers_up_the_tree([world.data.path, world.ops.path])
    assert selectors.nearest_managers(managers, world.data.path) == [data_manager]
    assert selectors.nearest_managers(managers, world.data.path, other_than=data_manager.pk) == [
        world.a_manager
    ]
    assert selectors.nearest_managers(managers, world.ops.path) == []  # nobody manages Ops
    assert selectors.nearest_managers(managers, None) == []
