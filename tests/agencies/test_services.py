import datetime

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies import services
from agencies.models import Agency, AgencyDomain, AuditEvent, Invitation, Membership, Role, Unit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(action, outcome=None):
    qs = AuditEvent.objects.filter(action=action)
    return qs.filter(outcome=outcome) if outcome else qs


def refreshed(unit):
    unit.refresh_from_db()
    return unit


# --- agency_create -------------------------------------------------------------------------


def test_platform_admin_creates_agency_with_normalised_domains(world):
    agency = services.agency_create(
        actor=world.platform_admin,
        name="Agency C",
        acronym="AC",
        slug="agency-c",
        domains=[" @C.gov ", "staff.c.gov", "c.gov"],
    )
    assert sorted(agency.domains.values_list("domain", flat=True)) == ["c.gov", "staff.c.gov"]
    event = events("agency.create").get()
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.actor == world.platform_admin
    assert event.target == "Agency C"


@pytest.mark.parametrize("who", ["a_admin", "a_manager", "a_learner"])
def test_only_platform_admins_can_create_agencies(world, who):
    with pytest.raises(ValidationError):
        services.agency_create(
            actor=getattr(world, who),
            name="Agency C",
            acronym="AC",
            slug="agency-c",
            domains=["c.gov"],
        )
    assert not Agency.objects.filter(slug="agency-c").exists()
    assert events("agency.create", AuditEvent.Outcome.REJECTED).count() == 1


@pytest.mark.parametrize("domain", ["not a domain", "c", "c..gov", "-c.gov", "c.gov/x"])
def test_agency_create_refuses_invalid_domains_and_audits_the_refusal(world, domain):
    with pytest.raises(ValidationError):
        services.agency_create(
            actor=world.platform_admin,
            name="Agency C",
            acronym="AC",
            slug="agency-c",
            domains=[domain],
        )
    assert not Agency.objects.filter(slug="agency-c").exists()
    assert events("agency.create", AuditEvent.Outcome.REJECTED).count() == 1


def test_agency_create_refuses_a_domain_of_another_agency(world):
    with pytest.raises(ValidationError, match="a.gov"):
        services.agency_create(
            actor=world.platform_admin,
            name="Agency C",
            acronym="AC",
            slug="agency-c",
            domains=["A.gov"],
        )
    assert not Agency.objects.filter(slug="agency-c").exists()
    assert AgencyDomain.objects.filter(domain="a.gov").get().agency == world.a
    event = events("agency.create").get()
    assert event.outcome == AuditEvent.Outcome.REJECTED
    assert event.detail["errors"]


def test_agency_create_refuses_duplicate_slug_or_name(world):
    for name, slug in [("Agency C", "agency-a"), ("agency a", "agency-c")]:
        with pytest.raises(ValidationError):
            services.agency_create(
                actor=world.platform_admin, name=name, acronym="AC", slug=slug, domains=["c.gov"]
            )
    assert Agency.objects.count() == 2


def test_agency_create_requires_a_domain(world):
    with pytest.raises(ValidationError):
        services.agency_create(
            actor=world.platform_admin, name="Agency C", acronym="AC", slug="c", domains=[" "]
        )


# --- agency_update_settings ----------------------------------------------------------------


def test_agency_admin_updates_own_agency_domains(world):
    services.agency_update_settings(
        actor=world.a_admin,
        agency=world.a,
        name="Agency A2",
        acronym="A2",
        domains=["a.gov", "new.a.gov"],
        time_zone="Europe/Paris",
        default_language="fr",
        mfa_required=True,
    )
    world.a.refresh_from_db()
    assert (world.a.name, world.a.mfa_required, world.a.default_language) == (
        "Agency A2",
        True,
        "fr",
    )
    assert dict(world.a.domains.values_list("domain", "status")) == {
        "a.gov": "approved",
        "new.a.gov": "pending",  # until a platform admin approves it
    }


def test_agency_admin_cannot_update_another_agency(world):
    with pytest.raises(ValidationError):
        services.agency_update_settings(
            actor=world.b_admin,
            agency=world.a,
            name="Hacked",
            acronym="H",
            domains=["a.gov"],
            time_zone="UTC",
            default_language="en",
            mfa_required=False,
        )
    world.a.refresh_from_db()
    assert world.a.name == "Agency A"
    assert events("agency.update", AuditEvent.Outcome.REJECTED).get().agency == world.a


# --- unit_create / unit_update -------------------------------------------------------------


def test_manager_adds_unit_below_own_unit(world):
    unit = services.unit_create(actor=world.a_manager, agency=world.a, name="AI", parent=world.data)
    assert unit.path == f"{world.data.path}{unit.pk}/"
    assert events("unit.create", AuditEvent.Outcome.SUCCESS).count() == 1


@pytest.mark.parametrize("parent_name", ["ops", "hq", None])
def test_manager_cannot_add_unit_outside_own_subtree(world, parent_name):
    parent = getattr(world, parent_name) if parent_name else None
    with pytest.raises(ValidationError):
        services.unit_create(actor=world.a_manager, agency=world.a, name="Rogue", parent=parent)
    assert not Unit.objects.filter(name="Rogue").exists()
    assert events("unit.create", AuditEvent.Outcome.REJECTED).count() == 1


def test_unit_create_refuses_parent_of_another_agency(world):
    with pytest.raises(ValidationError):
        services.unit_create(actor=world.a_admin, agency=world.a, name="X", parent=world.branch)
    assert not Unit.objects.filter(name="X").exists()


def test_unit_create_refuses_duplicate_name_under_same_parent(world):
    with pytest.raises(ValidationError):
        services.unit_create(actor=world.a_admin, agency=world.a, name="data", parent=world.digital)


def test_learner_cannot_add_units(world):
    with pytest.raises(ValidationError):
        services.unit_create(actor=world.a_learner, agency=world.a, name="X", parent=world.data)


def test_moving_a_unit_moves_its_whole_subtree(world):
    team = services.unit_create(actor=world.a_admin, agency=world.a, name="Team", parent=world.data)
    services.unit_update(actor=world.a_admin, unit=world.digital, name="Digital", parent=world.ops)
    ops = refreshed(world.ops)
    digital = refreshed(world.digital)
    assert digital.parent == ops
    assert digital.path == f"{ops.path}{digital.pk}/"
    assert refreshed(world.data).path == f"{digital.path}{world.data.pk}/"
    assert refreshed(team).path == f"{digital.path}{world.data.pk}/{team.pk}/"
    # Other branches and agencies are untouched.
    assert refreshed(world.hq).path == f"/{world.hq.pk}/"
    assert refreshed(world.branch).path == f"/{world.branch.pk}/"


def test_agency_admin_makes_a_unit_top_level(world):
    services.unit_update(actor=world.a_admin, unit=world.digital, name="Digital", parent=None)
    assert refreshed(world.digital).path == f"/{world.digital.pk}/"
    assert refreshed(world.data).path == f"/{world.digital.pk}/{world.data.pk}/"


@pytest.mark.parametrize("target", ["digital", "data"])
def test_unit_cannot_be_moved_inside_itself(world, target):
    with pytest.raises(ValidationError, match="inside itself"):
        services.unit_update(
            actor=world.a_admin, unit=world.digital, name="Digital", parent=getattr(world, target)
        )
    assert refreshed(world.digital).parent == world.hq
    assert events("unit.update", AuditEvent.Outcome.REJECTED).count() == 1


def test_manager_editing_unit_outside_scope_is_refused_and_nothing_changes(world):
    before = refreshed(world.ops).path
    with pytest.raises(ValidationError):
        services.unit_update(actor=world.a_manager, unit=world.ops, name="Mine", parent=world.data)
    ops = refreshed(world.ops)
    assert (ops.name, ops.parent, ops.path) == ("Ops", world.hq, before)
    event = events("unit.update").get()
    assert event.outcome == AuditEvent.Outcome.REJECTED
    assert event.actor == world.a_manager
    assert event.detail["errors"]


def test_manager_cannot_move_own_unit(world):
    with pytest.raises(ValidationError):
        services.unit_update(actor=world.a_manager, unit=world.digital, name="Digital", parent=None)
    assert refreshed(world.digital).parent == world.hq


def test_manager_renames_own_unit_in_place(world):
    services.unit_update(
        actor=world.a_manager, unit=world.digital, name="Digital Services", parent=world.hq
    )
    assert refreshed(world.digital).name == "Digital Services"
    assert events("unit.update", AuditEvent.Outcome.SUCCESS).count() == 1


def test_unit_cannot_be_moved_into_another_agency(world):
    with pytest.raises(ValidationError):
        services.unit_update(actor=world.a_admin, unit=world.ops, name="Ops", parent=world.branch)
    assert refreshed(world.ops).parent == world.hq


# --- invitation_create ---------------------------------------------------------------------


def test_manager_invites_learner_into_own_unit_and_email_has_signup_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=world.a_manager, agency=world.a, email=" New@A.gov ", unit=world.data
        )
    assert (invitation.email, invitation.role, invitation.unit) == (
        "new@a.gov",
        "learner",
        world.data,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@a.gov"]
    assert "Agency A" in message.subject
    assert "/accounts/signup/" in message.body
    assert events("member.invite", AuditEvent.Outcome.SUCCESS).get().target == "new@a.gov"


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [
        (Role.MANAGER, "data"),
        (Role.AGENCY_ADMIN, "data"),
        (Role.LEARNER, "ops"),
        (Role.LEARNER, None),
        (Role.LEARNER, "branch"),
    ],
)
def test_manager_can_only_invite_learners_into_own_units(world, role, unit_name):
    unit = getattr(world, unit_name) if unit_name else None
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=world.a_manager, agency=world.a, email="new@a.gov", role=role, unit=unit
        )
    assert not Invitation.objects.exists()
    assert events("member.invite", AuditEvent.Outcome.REJECTED).count() == 1


def test_learner_cannot_invite(world):
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=world.a_learner, agency=world.a, email="x@a.gov", unit=world.data
        )


def test_agency_admin_invites_a_manager(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=world.a_admin,
            agency=world.a,
            email="boss@a.gov",
            role=Role.MANAGER,
            unit=world.ops,
        )
    assert Invitation.objects.get().role == Role.MANAGER
    assert len(mail.outbox) == 1


def test_invitation_refuses_existing_account_and_duplicate_invitation(world):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="new@a.gov")
    for email in ["NEW@a.gov", "learner@a.gov"]:
        with pytest.raises(ValidationError):
            services.invitation_create(actor=world.a_admin, agency=world.a, email=email)
    assert Invitation.objects.count() == 1
    assert events("member.invite", AuditEvent.Outcome.REJECTED).count() == 2


def test_no_email_is_sent_for_a_refused_invitation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.invitation_create(
            actor=world.b_admin, agency=world.b, email="x@b.gov", unit=world.data
        )
    assert mail.outbox == []


# --- membership_join_on_signup -------------------------------------------------------------


def test_signup_with_agency_domain_joins_as_learner(world):
    user = UserFactory(email="someone@a.gov")
    membership = services.membership_join_on_signup(user=user)
    assert (membership.agency, membership.role, membership.unit) == (world.a, Role.LEARNER, None)
    assert events("member.join", AuditEvent.Outcome.SUCCESS).get().target == "someone@a.gov"


def test_another_agencys_invitation_does_not_win_over_the_domain(world):
    # An invitation made before invitations were limited to the agency's own domains.
    Invitation.objects.create(
        agency=world.b,
        email="someone@a.gov",
        role=Role.MANAGER,
        unit=world.branch,
        invited_by=world.b_admin,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    user = UserFactory(email="someone@a.gov")
    membership = services.membership_join_on_signup(user=user)
    assert (membership.agency, membership.role, membership.unit) == (world.a, Role.LEARNER, None)
    assert Invitation.objects.get().accepted_at is None


def test_platform_admins_invitation_across_domains_wins_over_the_domain(world):
    services.invitation_create(
        actor=world.platform_admin,
        agency=world.b,
        email="Someone@a.gov",
        role=Role.MANAGER,
        unit=world.branch,
    )
    assert Invitation.objects.get().across_domains
    user = UserFactory(email="someone@a.gov")
    membership = services.membership_join_on_signup(user=user)
    assert (membership.agency, membership.role, membership.unit) == (
        world.b,
        Role.MANAGER,
        world.branch,
    )
    assert Invitation.objects.get().accepted_at is not None


def test_join_keeps_an_existing_membership_and_leaves_the_invitation_unused(world):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="learner2@a.gov")
    user = world.b_learner  # already a member of B
    assert services.membership_join_on_signup(user=user, email="learner2@a.gov").agency == world.b
    assert Invitation.objects.get().accepted_at is None


def test_signup_with_unknown_domain_gives_no_membership(world):
    user = UserFactory(email="someone@unknown.org")
    assert services.membership_join_on_signup(user=user) is None
    assert not Membership.objects.filter(user=user).exists()


def test_join_on_signup_is_safe_to_call_twice(world):
    user = UserFactory(email="someone@a.gov")
    first = services.membership_join_on_signup(user=user)
    assert services.membership_join_on_signup(user=user) == first
    assert Membership.objects.filter(user=user).count() == 1


# --- membership_update ---------------------------------------------------------------------


def test_manager_moves_learner_between_own_units(world):
    membership = world.a_learner.membership
    services.membership_update(
        actor=world.a_manager, membership=membership, role=Role.LEARNER, unit=world.digital
    )
    membership.refresh_from_db()
    assert membership.unit == world.digital


def test_manager_forging_a_role_is_refused(world):
    membership = world.a_learner.membership
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=world.a_manager, membership=membership, role=Role.AGENCY_ADMIN, unit=world.data
        )
    membership.refresh_from_db()
    assert membership.role == Role.LEARNER
    assert events("member.update", AuditEvent.Outcome.REJECTED).count() == 1


@pytest.mark.parametrize("who", ["a_admin", "a_manager"])
def test_forged_unit_of_other_agency_is_refused(world, who):
    membership = world.a_learner.membership
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=getattr(world, who), membership=membership, role=Role.LEARNER, unit=world.branch
        )
    membership.refresh_from_db()
    assert membership.unit == world.data


def test_manager_cannot_move_someone_outside_own_subtree(world):
    membership = world.a_learner.membership
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=world.a_manager, membership=membership, role=Role.LEARNER, unit=world.ops
        )
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=world.a_manager,
            membership=world.a_ops_learner.membership,
            role=Role.LEARNER,
            unit=world.data,
        )


def test_nobody_changes_their_own_membership(world):
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=world.a_admin, membership=world.a_admin.membership, role=Role.LEARNER, unit=None
        )


def test_agency_admin_promotes_learner_to_manager(world):
    membership = world.a_ops_learner.membership
    services.membership_update(
        actor=world.a_admin, membership=membership, role=Role.MANAGER, unit=world.ops
    )
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


# --- membership_set_active -----------------------------------------------------------------


def test_deactivated_user_cannot_log_in(world):
    password = "academy-demo"
    assert authenticate(email="learner@a.gov", password=password) == world.a_learner
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    assert authenticate(email="learner@a.gov", password=password) is None
    world.a_learner.refresh_from_db()
    assert world.a_learner.is_active is False
    assert events("member.deactivate", AuditEvent.Outcome.SUCCESS).count() == 1
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=True
    )
    assert authenticate(email="learner@a.gov", password=password) == world.a_learner


@pytest.mark.parametrize("who", ["a_manager", "b_admin"])
def test_only_own_agency_admins_deactivate_people(world, who):
    with pytest.raises(ValidationError):
        services.membership_set_active(
            actor=getattr(world, who), membership=world.a_learner.membership, active=False
        )
    world.a_learner.refresh_from_db()
    assert world.a_learner.is_active is True
    assert events("member.deactivate", AuditEvent.Outcome.REJECTED).count() == 1


def test_admin_cannot_deactivate_self(world):
    with pytest.raises(ValidationError):
        services.membership_set_active(
            actor=world.a_admin, membership=world.a_admin.membership, active=False
        )
