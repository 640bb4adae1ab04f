"""Pending invitations: listed on People, found by the search, resent and revoked (audited)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.forms import AgencySignupForm
from agencies import services
from agencies.models import AuditEvent, Invitation, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MEMBER_LIST = reverse("agencies:member_list")
INVITE = reverse("agencies:member_invite")


def resend_url(invitation):
    return reverse("agencies:invitation_resend", args=[invitation.pk])


def revoke_url(invitation):
    return reverse("agencies:invitation_revoke", args=[invitation.pk])


@pytest.fixture
def invited(world):
    """Pending invitations in agency A: into Data (the manager's subtree), into Ops (not
    theirs) and without a unit; one in agency B."""
    return {
        "data": services.invitation_create(
            actor=world.a_manager, agency=world.a, email="data.new@a.gov", unit=world.data
        ),
        "ops": services.invitation_create(
            actor=world.a_admin,
            agency=world.a,
            email="ops.new@a.gov",
            role=Role.TRAINER,
            unit=world.ops,
        ),
        "none": services.invitation_create(
            actor=world.a_admin, agency=world.a, email="nounit@a.gov"
        ),
        "b": services.invitation_create(actor=world.b_admin, agency=world.b, email="new@b.gov"),
    }


def _shown(response):
    return [i.email for i in response.context["invitations"]]


def test_people_page_lists_pending_invitations_with_details(world, invited, client_for):
    response = client_for(world.a_admin).get(MEMBER_LIST)
    assert _shown(response) == ["nounit@a.gov", "ops.new@a.gov", "data.new@a.gov"]
    content = response.content.decode()
    row = content[content.index("ops.new@a.gov") :][:1500]
    for text in ["Trainer", "Ops", "admin@a.gov", invited["ops"].expires_at.strftime("%Y-%m-%d")]:
        assert text in row


def test_people_search_finds_a_pending_invitation_by_address(world, invited, client_for):
    response = client_for(world.a_admin).get(MEMBER_LIST, {"q": "OPS.NEW"})
    assert response.context["page"].paginator.count == 0
    assert _shown(response) == ["ops.new@a.gov"]


def test_manager_sees_only_invitations_into_own_subtree(world, invited, client_for):
    assert _shown(client_for(world.a_manager).get(MEMBER_LIST)) == ["data.new@a.gov"]


def test_other_agency_sees_none_and_gets_404_on_resend_and_revoke(world, invited, client_for):
    client = client_for(world.b_admin)
    assert _shown(client.get(MEMBER_LIST)) == ["new@b.gov"]
    for invitation in [invited["data"], invited["none"]]:
        assert client.post(resend_url(invitation)).status_code == 404
        assert client.get(revoke_url(invitation)).status_code == 404
        assert client.post(revoke_url(invitation)).status_code == 404
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0


def test_manager_gets_404_on_invitations_outside_own_subtree(world, invited, client_for):
    client = client_for(world.a_manager)
    for invitation in [invited["ops"], invited["none"]]:
        assert client.post(resend_url(invitation)).status_code == 404
        assert client.post(revoke_url(invitation)).status_code == 404


@pytest.mark.parametrize("who", ["a_learner", "a_trainer"])
def test_learners_and_trainers_get_404(world, invited, client_for, who):
    client = client_for(getattr(world, who))
    assert client.post(resend_url(invited["data"])).status_code == 404
    assert client.post(revoke_url(invited["data"])).status_code == 404


def test_resend_sends_again_with_a_new_expiry_and_is_audited(
    world, invited, client_for, django_capture_on_commit_callbacks
):
    invitation = invited["data"]
    old_expiry = timezone.now() - datetime.timedelta(days=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=old_expiry)
    mail.outbox.clear()
    client = client_for(world.a_manager)
    assert client.get(resend_url(invitation)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(invitation), follow=True)
    assert "Invitation sent again to data.new@a.gov" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)
    assert [m.to for m in mail.outbox] == [["data.new@a.gov"]]
    event = AuditEvent.objects.get(action="member.invite_resend")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.actor == world.a_manager
    assert event.changes["expires_at"][0] == old_expiry.isoformat()
    assert event.changes["expires_at"][1] == invitation.expires_at.isoformat()


def test_revoke_asks_for_confirmation_then_revokes_and_is_audited(world, invited, client_for):
    invitation = invited["ops"]
    client = client_for(world.a_admin)
    confirm = client.get(revoke_url(invitation))
    assert confirm.status_code == 200
    assert "Revoke the invitation to ops.new@a.gov?" in confirm.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

    response = client.post(revoke_url(invitation), follow=True)
    assert "The invitation to ops.new@a.gov was revoked." in response.content.decode()
    assert "ops.new@a.gov" not in _shown(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(action="member.invite_revoke")
    assert event.changes == {"status": ["pending", "revoked"]}
    assert event.target == "ops.new@a.gov"
    # Gone from the pending list: a second revoke finds nothing.
    assert client.post(revoke_url(invitation)).status_code == 404


def test_revoked_address_can_be_invited_again_and_cannot_sign_up_meanwhile(world, invited):
    services.invitation_revoke(actor=world.a_admin, invitation=invited["ops"])
    assert not services.invitation_usable_for("ops.new@a.gov")
    again = services.invitation_create(actor=world.a_admin, agency=world.a, email="ops.new@a.gov")
    assert again.pk != invited["ops"].pk
    assert services.invitation_usable_for("ops.new@a.gov")


def test_revoked_or_expired_invitation_does_not_open_sign_up(world):
    outside = "guest@example.org"
    invitation = services.invitation_create(
        actor=world.platform_admin, agency=world.a, email=outside
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    form = AgencySignupForm(
        data={"full_name": "G", "email": outside, "password1": "x" * 12, "password2": "x" * 12}
    )
    assert not form.is_valid() and "email" in form.errors
    services.invitation_resend(actor=world.a_admin, invitation=invitation)
    assert services.invitation_usable_for(outside)
    services.invitation_revoke(actor=world.a_admin, invitation=invitation)
    assert not services.invitation_usable_for(outside)


def test_signup_ignores_a_revoked_invitation(world):
    invitation = services.invitation_create(
        actor=world.a_admin, agency=world.a, email="x@a.gov", role=Role.MANAGER, unit=world.ops
    )
    services.invitation_revoke(actor=world.a_admin, invitation=invitation)
    user = UserFactory(email="x@a.gov")
    membership = services.membership_join_on_signup(user=user)
    assert membership.role == Role.LEARNER and membership.unit is None  # joined by domain


def test_refused_resend_and_revoke_are_audited(world, invited):
    with pytest.raises(services.ValidationError):
        services.invitation_revoke(actor=world.a_manager, invitation=invited["ops"])
    with pytest.raises(services.ValidationError):
        services.invitation_resend(actor=world.b_admin, invitation=invited["data"])
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.REJECTED).count() == 2


def test_inviting_again_points_to_the_pending_invitation(world, invited, client_for):
    response = client_for(world.a_admin).post(
        INVITE, {"email": "ops.new@a.gov", "role": "learner", "unit": ""}
    )
    assert response.status_code == 200
    assert "pending invitations on the People page" in response.content.decode()


def test_people_page_query_count_with_many_invitations(
    world, client_for, django_assert_num_queries
):
    for n in range(30):
        services.invitation_create(
            actor=world.a_admin, agency=world.a, email=f"p{n}@a.gov", unit=world.data
        )
    client = client_for(world.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(MEMBER_LIST)
    with django_assert_num_queries(5):
        response = client.get(MEMBER_LIST)
    assert len(response.context["invitations"]) == 25
    assert response.context["invitation_count"] == 30
    assert "The 25 newest of 30 pending invitations" in response.content.decode()
    client = client_for(world.a_manager)
    client.get(MEMBER_LIST)  # warm up, as above
    # No person matches (no page query) and 11 invitations fit on the page (no count).
    with django_assert_num_queries(3):
        response = client.get(MEMBER_LIST, {"q": "p1"})
    assert response.context["invitation_count"] == 11


def test_revoke_confirmation_query_count(world, invited, client_for, django_assert_num_queries):
    client = client_for(world.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(revoke_url(invited["ops"]))
    with django_assert_num_queries(2):
        assert client.get(revoke_url(invited["ops"])).status_code == 200


def test_address_invited_by_another_agency_gets_the_neutral_answer(world, client_for):
    services.invitation_create(
        actor=world.platform_admin, agency=world.b, email="dual@a.gov", unit=world.branch
    )
    response = client_for(world.a_manager).post(
        reverse("agencies:member_invite"),
        {"email": "dual@a.gov", "role": "learner", "unit": world.data.pk},
        follow=True,
    )
    assert "If dual@a.gov can join, an invitation is on its way" in response.content.decode()
    assert Invitation.objects.filter(email="dual@a.gov").get().agency == world.b
    refused = AuditEvent.objects.get(action="member.invite", outcome="rejected")
    assert refused.agency == world.a and refused.detail["errors"]
