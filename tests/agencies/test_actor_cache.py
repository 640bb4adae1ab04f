"""The acting user's placement is cached across requests and forgotten the moment it changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from agencies import services
from agencies.access import actor_for
from agencies.models import Role

pytestmark = pytest.mark.django_db


def fresh_actor(user):
    """What the next request sees: a user loaded again, so nothing is kept on the object."""
    return actor_for(User.objects.get(pk=user.pk))


def test_the_second_request_reads_the_placement_from_the_cache(world):
    first = fresh_actor(world.a_manager)
    user = User.objects.get(pk=world.a_manager.pk)
    with CaptureQueriesContext(connection) as queries:
        second = actor_for(user)
    assert len(queries) == 0
    assert second == first
    assert (second.agency_id, second.role, second.unit_path) == (
        world.a.pk,
        Role.MANAGER,
        world.digital.path,
    )


def test_a_role_change_is_seen_at_once(world):
    assert fresh_actor(world.a_learner).role == Role.LEARNER
    membership = world.a_learner.membership
    services.membership_update(
        actor=world.a_admin, membership=membership, role=Role.TRAINER, unit=world.data
    )
    assert fresh_actor(world.a_learner).role == Role.TRAINER


def test_a_deactivated_member_loses_the_agency_at_once(world):
    assert fresh_actor(world.a_learner).agency_id == world.a.pk
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    assert fresh_actor(world.a_learner).agency_id is None


def test_a_new_membership_is_seen_at_once(world):
    from tests.factories import UserFactory

    newcomer = UserFactory(email="newcomer@a.gov")
    assert fresh_actor(newcomer).agency_id is None
    services.membership_create(user=newcomer, agency=world.a, unit=world.ops)
    assert fresh_actor(newcomer).unit_path == world.ops.path


def test_agency_settings_reach_every_member_at_once(world):
    assert not fresh_actor(world.a_learner).agency_mfa_required
    assert fresh_actor(world.a_manager).agency_time_zone == "UTC"
    services.agency_update_settings(
        actor=world.a_admin,
        agency=world.a,
        name="Agency A renamed",
        acronym=world.a.acronym,
        domains=["a.gov"],
        time_zone="America/New_York",
        default_language=world.a.default_language,
        mfa_required=True,
    )
    assert fresh_actor(world.a_learner).agency_mfa_required
    manager = fresh_actor(world.a_manager)
    assert (manager.agency_time_zone, manager.agency_name) == (
        "America/New_York",
        "Agency A renamed",
    )


def test_a_moved_unit_changes_the_managers_subtree_at_once(world):
    world.a_manager.membership.refresh_from_db()
    services.membership_update(
        actor=world.a_admin,
        membership=world.a_manager.membership,
        role=Role.MANAGER,
        unit=world.data,
    )
    before = fresh_actor(world.a_manager).unit_path
    services.unit_update(actor=world.a_admin, unit=world.data, name="Data", parent=world.ops)
    world.data.refresh_from_db()
    after = fresh_actor(world.a_manager).unit_path
    assert before != after == world.data.path
    assert after.startswith(world.ops.path)


def test_a_demoted_manager_loses_the_member_list_on_the_next_request(world, client_for):
    client = client_for(world.a_manager)
    assert client.get("/agency/members/").status_code == 200
    services.membership_update(
        actor=world.a_admin,
        membership=world.a_manager.membership,
        role=Role.LEARNER,
        unit=world.digital,
    )
    assert client.get("/agency/members/").status_code in (302, 403, 404)
