"""Member counts (reports.MemberCount) kept in step by the agencies services and the first
sign-in, repaired by the nightly recompute; enrollments follow a person who changes unit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from accounts.models import User
from accounts.services import user_first_sign_in
from agencies import services as agencies
from agencies.demo import seed_bulk_learners
from agencies.models import Membership, Role
from learning.models import Enrollment
from reports.access import dashboard_scope
from reports.models import MemberCount
from reports.selectors import dashboard_figures
from reports.services.recompute import aggregates_recompute_agency, member_counts_recompute
from tests.factories import UserFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def raw_counts(agency):
    """{(unit, active, activated): n} straight from the memberships and users."""
    counts = {}
    rows = (
        Membership.objects.filter(agency=agency)
        .values("unit_id", "is_active")
        .annotate(n=Count("id"), activated=Count("id", filter=Q(user__activated_at__isnull=False)))
    )
    for row in rows:
        for activated, n in ((True, row["activated"]), (False, row["n"] - row["activated"])):
            if n:
                counts[(row["unit_id"], row["is_active"], activated)] = n
    return counts


def stored_counts(agency):
    return {
        (c.unit_id, c.active, c.activated): c.n
        for c in MemberCount.objects.filter(agency=agency)
        if c.n
    }


def assert_in_step(*agencies_):
    for agency in agencies_:
        assert stored_counts(agency) == raw_counts(agency)
        assert aggregates_recompute_agency(agency_id=agency.pk, repair=False) == []


def test_world_members_are_counted(world):
    assert stored_counts(world.a)[(world.data.pk, True, False)] == 1
    assert_in_step(world.a, world.b)


def test_join_on_signup_by_domain_and_by_invitation(world):
    by_domain = UserFactory(email="newcomer@a.gov")
    assert agencies.membership_join_on_signup(user=by_domain) is not None
    agencies.invitation_create(
        actor=world.a_admin, agency=world.a, email="invited@a.gov", unit=world.ops
    )
    invited = UserFactory(email="invited@a.gov")
    assert agencies.membership_join_on_signup(user=invited).unit == world.ops
    # A second call changes nothing.
    agencies.membership_join_on_signup(user=invited)
    assert stored_counts(world.a)[(None, True, False)] == 2  # admin@a.gov and the newcomer
    assert stored_counts(world.a)[(world.ops.pk, True, False)] == 2
    assert_in_step(world.a)


def test_first_sign_in_activates_once(world, client):
    user = world.a_learner
    client.force_login(user)  # user_logged_in -> accounts.services.user_first_sign_in
    user.refresh_from_db()
    first = user.activated_at
    assert first is not None
    assert stored_counts(world.a)[(world.data.pk, True, True)] == 1
    client.logout()
    client.force_login(user)
    user.refresh_from_db()
    assert user.activated_at == first
    assert user_first_sign_in(user=User.objects.get(pk=user.pk)) is False
    assert stored_counts(world.a)[(world.data.pk, True, True)] == 1
    assert_in_step(world.a)


def test_sign_in_without_membership(world, client):
    client.force_login(world.platform_admin)
    world.platform_admin.refresh_from_db()
    assert world.platform_admin.activated_at is not None
    assert_in_step(world.a, world.b)


def test_membership_update_moves_the_count(world, client):
    client.force_login(world.a_learner)
    membership = Membership.objects.get(user=world.a_learner)
    agencies.membership_update(
        actor=world.a_admin, membership=membership, role=Role.LEARNER, unit=world.ops
    )
    counts = stored_counts(world.a)
    assert (world.data.pk, True, True) not in counts
    assert counts[(world.ops.pk, True, True)] == 1
    # A role change alone moves nothing; moving to no unit does.
    agencies.membership_update(
        actor=world.a_admin, membership=membership, role=Role.TRAINER, unit=world.ops
    )
    assert_in_step(world.a)
    agencies.membership_update(
        actor=world.a_admin, membership=membership, role=Role.TRAINER, unit=None
    )
    assert stored_counts(world.a)[(None, True, True)] == 1
    assert_in_step(world.a)


def test_set_active_moves_the_count_and_the_figure(world):
    membership = Membership.objects.get(user=world.a_ops_learner)
    before = dashboard_figures(dashboard_scope(world.a_admin), today=TODAY)["headline"]
    agencies.membership_set_active(actor=world.a_admin, membership=membership, active=False)
    assert stored_counts(world.a)[(world.ops.pk, False, False)] == 1
    after = dashboard_figures(dashboard_scope(world.a_admin), today=TODAY)["headline"]
    assert after["members"] == before["members"] - 1
    assert_in_step(world.a)
    agencies.membership_set_active(actor=world.a_admin, membership=membership, active=True)
    assert_in_step(world.a)


def test_drift_is_found_and_repaired(world, client):
    client.force_login(world.a_learner)
    MemberCount.objects.filter(agency=world.a, unit=world.data).delete()
    MemberCount.objects.filter(agency=world.a, unit=world.ops).update(n=5)
    drift = aggregates_recompute_agency(agency_id=world.a.pk, repair=False)
    assert {d.table for d in drift} == {"MemberCount"}
    assert len(drift) == 2
    assert aggregates_recompute_agency(agency_id=world.a.pk) == drift
    assert_in_step(world.a)
    MemberCount.objects.filter(agency=world.a).delete()
    assert member_counts_recompute(agency_id=world.a.pk)
    assert_in_step(world.a)


def test_bulk_learners_are_counted_per_batch(world):
    assert seed_bulk_learners(agency_slug="agency-a", count=7, batch_size=3) == 7
    assert seed_bulk_learners(agency_slug="agency-a", count=7, batch_size=3) == 0
    assert sum(n for (_, active, _), n in stored_counts(world.a).items() if active) == 5 + 7
    assert_in_step(world.a)


def test_activated_at_migrates_from_last_login():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0002_user_activated_at")
    signed_in = UserFactory(last_login=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC))
    never = UserFactory()
    migration.activated_from_last_login(apps, None)
    signed_in.refresh_from_db()
    never.refresh_from_db()
    assert signed_in.activated_at == signed_in.last_login
    assert never.activated_at is None


# Moving a person moves their enrollments (hand-computed world of conftest.py).


def unit_figures(dash, unit):
    head = dashboard_figures(dashboard_scope(dash.w.a_admin, unit_id=unit.pk), today=TODAY)[
        "headline"
    ]
    return {
        k: head[k]
        for k in ("members", "activated", "enrolled", "in_progress", "completed", "overdue")
    }


def test_unit_figures_follow_a_person_who_moves(dash):
    w = dash.w
    assert unit_figures(dash, w.data) == {
        "members": 2,
        "activated": 1,
        "enrolled": 3,
        "in_progress": 1,
        "completed": 1,
        "overdue": 1,
    }
    assert unit_figures(dash, w.ops) == {
        "members": 2,
        "activated": 1,
        "enrolled": 3,
        "in_progress": 2,
        "completed": 1,
        "overdue": 1,
    }
    membership = Membership.objects.get(user=w.a_learner)
    agencies.membership_update(
        actor=w.a_admin, membership=membership, role=Role.LEARNER, unit=w.ops
    )
    assert set(Enrollment.objects.filter(user=w.a_learner).values_list("unit_id", flat=True)) == {
        w.ops.pk
    }
    # a_learner takes c1 (completed) and c2 (in progress) from Data to Ops.
    assert unit_figures(dash, w.data) == {
        "members": 1,
        "activated": 0,
        "enrolled": 1,
        "in_progress": 0,
        "completed": 0,
        "overdue": 1,
    }
    assert unit_figures(dash, w.ops) == {
        "members": 3,
        "activated": 2,
        "enrolled": 5,
        "in_progress": 3,
        "completed": 2,
        "overdue": 1,
    }
    hq = unit_figures(dash, w.hq)
    assert (hq["members"], hq["enrolled"], hq["completed"]) == (6, 7, 2)
    manager = dashboard_figures(dashboard_scope(w.a_manager), today=TODAY)["headline"]
    assert (manager["members"], manager["enrolled"]) == (3, 2)
    assert aggregates_recompute_agency(agency_id=w.a.pk, repair=False) == []


def test_failed_move_moves_nothing(dash):
    w = dash.w
    membership = Membership.objects.get(user=w.a_ops_learner)
    with pytest.raises(ValidationError):  # the manager may not touch Ops
        agencies.membership_update(
            actor=w.a_manager, membership=membership, role=Role.LEARNER, unit=w.data
        )
    assert set(
        Enrollment.objects.filter(user=w.a_ops_learner).values_list("unit_id", flat=True)
    ) == {w.ops.pk}
    assert aggregates_recompute_agency(agency_id=w.a.pk, repair=False) == []
