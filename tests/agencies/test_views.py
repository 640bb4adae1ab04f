import pytest
from django.core import mail
from django.urls import reverse

from agencies import services
from agencies.models import Agency, AuditEvent, Invitation, Membership, Role, Unit
from tests.builders import bulk_members
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MEMBER_LIST = reverse("agencies:member_list")
INVITE = reverse("agencies:member_invite")
UNIT_LIST = reverse("agencies:unit_list")
AUDIT = reverse("agencies:audit_log")
SETTINGS = reverse("agencies:agency_settings")
AGENCY_LIST = reverse("agencies:agency_list")


def member_edit(membership):
    return reverse("agencies:member_edit", args=[membership.pk])


def member_active(membership):
    return reverse("agencies:member_set_active", args=[membership.pk])


def unit_edit(unit):
    return reverse("agencies:unit_edit", args=[unit.pk])


# --- permission matrix ---------------------------------------------------------------------


def all_pages(world):
    return [
        MEMBER_LIST,
        INVITE,
        UNIT_LIST,
        AUDIT,
        SETTINGS,
        AGENCY_LIST,
        member_edit(world.a_learner.membership),
        unit_edit(world.data),
    ]


@pytest.mark.parametrize("who", ["a_learner", "a_trainer"])
def test_learners_and_trainers_get_404_on_every_agency_page(world, client_for, who):
    client = client_for(getattr(world, who))
    for url in all_pages(world):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(member_active(world.a_learner.membership), {"active": "0"}).status_code == 404
    )


def test_anonymous_visitor_is_sent_to_sign_in(world, client):
    for url in all_pages(world):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_agency_admin_sees_own_agency_pages(world, client_for):
    client = client_for(world.a_admin)
    for url in [
        MEMBER_LIST,
        INVITE,
        UNIT_LIST,
        AUDIT,
        SETTINGS,
        member_edit(world.a_ops_learner.membership),
        unit_edit(world.ops),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(AGENCY_LIST).status_code == 404


def test_other_agency_admin_gets_404_on_agency_a_ids(world, client_for):
    client = client_for(world.b_admin)
    assert client.get(member_edit(world.a_learner.membership)).status_code == 404
    assert client.get(unit_edit(world.hq)).status_code == 404
    assert client.post(unit_edit(world.hq), {"name": "Taken", "parent": ""}).status_code == 404
    response = client.post(member_active(world.a_learner.membership), {"active": "0"})
    assert response.status_code == 404
    world.a_learner.refresh_from_db()
    world.hq.refresh_from_db()
    assert world.a_learner.is_active and world.hq.name == "HQ"


def test_manager_gets_404_on_sibling_unit_and_its_people(world, client_for):
    client = client_for(world.a_manager)
    assert client.get(unit_edit(world.ops)).status_code == 404
    assert client.get(unit_edit(world.hq)).status_code == 404
    assert client.get(member_edit(world.a_ops_learner.membership)).status_code == 404
    assert client.get(unit_edit(world.data)).status_code == 200
    assert client.get(member_edit(world.a_learner.membership)).status_code == 200


@pytest.mark.parametrize("url", [AUDIT, SETTINGS, AGENCY_LIST])
def test_manager_gets_404_on_admin_pages(world, client_for, url):
    assert client_for(world.a_manager).get(url).status_code == 404


def test_manager_cannot_deactivate_people(world, client_for):
    response = client_for(world.a_manager).post(
        member_active(world.a_learner.membership), {"active": "0"}
    )
    assert response.status_code == 404
    world.a_learner.refresh_from_db()
    assert world.a_learner.is_active


def test_set_active_refuses_get(world, client_for):
    response = client_for(world.a_admin).get(member_active(world.a_learner.membership))
    assert response.status_code == 405


def test_platform_admin_sees_agency_list(world, client_for):
    response = client_for(world.platform_admin).get(AGENCY_LIST)
    assert response.status_code == 200
    assert b"Agency A" in response.content and b"Agency B" in response.content


# --- member list ---------------------------------------------------------------------------


def test_member_list_for_manager_shows_only_own_subtree(world, client_for):
    content = client_for(world.a_manager).get(MEMBER_LIST).content.decode()
    assert "learner@a.gov" in content
    assert "ops@a.gov" not in content
    assert "b.gov" not in content


def test_member_list_search(world, client_for):
    content = client_for(world.a_admin).get(MEMBER_LIST, {"q": "ops@"}).content.decode()
    assert "ops@a.gov" in content and "learner@a.gov" not in content


# --- invite --------------------------------------------------------------------------------


def test_manager_invites_learner_into_own_unit(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a_manager).post(
            INVITE, {"email": "new@a.gov", "role": "learner", "unit": world.data.pk}
        )
    assert response.status_code == 302
    assert Invitation.objects.get().unit == world.data
    assert mail.outbox[0].to == ["new@a.gov"]
    assert AuditEvent.objects.get(action="member.invite").ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "agency_admin"}, "role"),
        ({"role": "manager"}, "role"),
        ({"unit": "BRANCH"}, "unit"),
        ({"unit": "OPS"}, "unit"),
        ({"unit": ""}, "unit"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_manager_forged_invitation_shows_field_error_and_changes_nothing(
    world, client_for, data, field
):
    units = {"BRANCH": world.branch.pk, "OPS": world.ops.pk}
    payload = {"email": "new@a.gov", "role": "learner", "unit": world.data.pk}
    payload.update({k: units.get(v, v) for k, v in data.items()})
    response = client_for(world.a_manager).post(INVITE, payload)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_a_member_of_own_agency_says_so(world, client_for):
    response = client_for(world.a_admin).post(INVITE, {"email": "ops@a.gov", "role": "learner"})
    assert response.status_code == 200
    assert "already a member of your agency" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_answers_the_same_whether_or_not_the_address_has_an_account(world, client_for):
    """An a.gov address placed in agency B by a platform admin, and a new a.gov address: the
    manager of A reads the same words for both (nothing about B leaks)."""
    elsewhere = UserFactory(email="moved@a.gov")
    services.membership_create(user=elsewhere, agency=world.b, unit=world.branch)
    client = client_for(world.a_manager)
    answers = []
    for email in ["moved@a.gov", "brand.new@a.gov"]:
        response = client.post(
            INVITE, {"email": email, "role": "learner", "unit": world.data.pk}, follow=True
        )
        text = response.content.decode().replace(email, "ADDRESS")
        answers.append(text[text.index("usa-alert__text") :][:200])
    assert answers[0] == answers[1]
    assert "If ADDRESS can join, an invitation is on its way" in answers[0]


def test_manager_cannot_invite_an_address_of_another_agencys_domain(world, client_for):
    response = client_for(world.a_manager).post(
        INVITE, {"email": "new.hire@b.gov", "role": "learner", "unit": world.data.pk}
    )
    assert response.status_code == 200
    assert "approved email domains" in response.content.decode()
    assert not Invitation.objects.exists()


def test_agency_admin_cannot_invite_an_outside_address(world, client_for):
    response = client_for(world.a_admin).post(
        INVITE, {"email": "guest@gmail.com", "role": "trainer"}
    )
    assert "approved email domains" in response.content.decode()
    assert not Invitation.objects.exists()


def test_agency_admin_invites_without_unit(world, client_for):
    response = client_for(world.a_admin).post(INVITE, {"email": "n@a.gov", "role": "trainer"})
    assert response.status_code == 302
    assert Invitation.objects.get().agency == world.a


# --- member edit / set active --------------------------------------------------------------


def test_manager_moves_learner_within_subtree(world, client_for):
    membership = world.a_learner.membership
    response = client_for(world.a_manager).post(
        member_edit(membership), {"role": "learner", "unit": world.digital.pk}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.unit == world.digital


def test_manager_cannot_move_another_manager_and_nothing_changes(world, client_for):
    from tests.builders import make_member

    co_manager = make_member(world.a, "manager", world.data, email="co-manager@a.gov")
    membership = co_manager.membership
    response = client_for(world.a_manager).post(
        member_edit(membership), {"role": "manager", "unit": world.digital.pk}
    )
    assert response.status_code == 200
    assert "Only agency admins can move managers" in response.content.decode()
    membership.refresh_from_db()
    assert membership.unit == world.data


def test_manager_moves_trainer_within_subtree_keeping_their_role(world, client_for):
    membership = world.a_trainer.membership
    response = client_for(world.a_manager).post(
        member_edit(membership), {"role": "trainer", "unit": world.data.pk}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.unit) == ("trainer", world.data)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"role": "agency_admin"}, "role"), ({"unit": "BRANCH"}, "unit"), ({"unit": "OPS"}, "unit")],
)
def test_manager_forged_member_edit_changes_nothing(world, client_for, data, field):
    units = {"BRANCH": world.branch.pk, "OPS": world.ops.pk}
    membership = world.a_learner.membership
    payload = {"role": "learner", "unit": world.data.pk}
    payload.update({k: units.get(v, v) for k, v in data.items()})
    response = client_for(world.a_manager).post(member_edit(membership), payload)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    membership.refresh_from_db()
    assert (membership.role, membership.unit) == (Role.LEARNER, world.data)


def test_admin_forged_unit_of_other_agency_changes_nothing(world, client_for):
    membership = world.a_learner.membership
    response = client_for(world.a_admin).post(
        member_edit(membership), {"role": "manager", "unit": world.branch.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    membership.refresh_from_db()
    assert (membership.role, membership.unit) == (Role.LEARNER, world.data)


def test_admin_editing_own_membership_sees_refusal(world, client_for):
    response = client_for(world.a_admin).post(
        member_edit(world.a_admin.membership), {"role": "learner", "unit": ""}
    )
    assert response.status_code == 200
    assert "cannot change your own membership" in response.content.decode()
    assert Membership.objects.get(user=world.a_admin).role == Role.AGENCY_ADMIN


def test_admin_deactivates_and_reactivates_member(world, client_for):
    client = client_for(world.a_admin)
    membership = world.a_learner.membership
    response = client.post(member_active(membership), {"active": "0"})
    assert response.status_code == 302
    world.a_learner.refresh_from_db()
    assert not world.a_learner.is_active
    assert "Deactivated" in client.get(member_edit(membership)).content.decode()
    client.post(member_active(membership), {"active": "1"})
    world.a_learner.refresh_from_db()
    assert world.a_learner.is_active


def test_admin_deactivating_self_is_refused_with_message(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(member_active(world.a_admin.membership), {"active": "0"}, follow=True)
    assert "cannot deactivate yourself" in response.content.decode()
    world.a_admin.refresh_from_db()
    assert world.a_admin.is_active


# --- units ---------------------------------------------------------------------------------


def test_manager_adds_unit_below_own_unit(world, client_for):
    response = client_for(world.a_manager).post(UNIT_LIST, {"name": "AI", "parent": world.data.pk})
    assert response.status_code == 302
    assert Unit.objects.get(name="AI").parent == world.data


@pytest.mark.parametrize("parent", ["OPS", "BRANCH", ""])
def test_manager_adding_unit_outside_scope_changes_nothing(world, client_for, parent):
    pk = {"OPS": world.ops.pk, "BRANCH": world.branch.pk}.get(parent, "")
    response = client_for(world.a_manager).post(UNIT_LIST, {"name": "Rogue", "parent": pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("parent") or form.non_field_errors()
    assert not Unit.objects.filter(name="Rogue").exists()


def test_unit_list_shows_field_error_for_blank_name(world, client_for):
    response = client_for(world.a_admin).post(UNIT_LIST, {"name": "", "parent": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_admin_moves_unit_through_edit_page(world, client_for):
    response = client_for(world.a_admin).post(
        unit_edit(world.digital), {"name": "Digital", "parent": world.ops.pk}
    )
    assert response.status_code == 302
    world.data.refresh_from_db()
    assert world.data.path.startswith(f"/{world.hq.pk}/{world.ops.pk}/{world.digital.pk}/")


def test_edit_page_does_not_offer_moving_a_unit_inside_itself(world, client_for):
    response = client_for(world.a_admin).post(
        unit_edit(world.digital), {"name": "Digital", "parent": world.data.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    world.digital.refresh_from_db()
    assert world.digital.parent == world.hq


def test_manager_renames_own_unit_through_edit_page(world, client_for):
    client = client_for(world.a_manager)
    page = client.get(unit_edit(world.digital)).content.decode()
    assert f'<option value="{world.hq.pk}" selected>' in page
    response = client.post(
        unit_edit(world.digital), {"name": "Digital Services", "parent": world.hq.pk}
    )
    assert response.status_code == 302
    world.digital.refresh_from_db()
    assert (world.digital.name, world.digital.parent) == ("Digital Services", world.hq)


def test_manager_cannot_move_a_unit_under_the_parent_of_own_unit(world, client_for):
    response = client_for(world.a_manager).post(
        unit_edit(world.data), {"name": "Data", "parent": world.hq.pk}
    )
    assert response.status_code == 200
    world.data.refresh_from_db()
    assert world.data.parent == world.digital


# --- audit log, settings, agencies ---------------------------------------------------------


def test_audit_log_shows_own_agency_events_only(world, client_for):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="x@a.gov")
    services.invitation_create(actor=world.b_admin, agency=world.b, email="y@b.gov")
    content = client_for(world.a_admin).get(AUDIT).content.decode()
    assert "x@a.gov" in content and "y@b.gov" not in content


def test_agency_settings_rejects_domain_of_other_agency(world, client_for):
    response = client_for(world.a_admin).post(
        SETTINGS,
        {
            "name": "Agency A",
            "acronym": "AA",
            "domains": "a.gov, b.gov",
            "time_zone": "UTC",
            "default_language": "en",
        },
    )
    assert response.status_code == 200
    assert "b.gov" in str(response.context["form"].non_field_errors())
    assert list(world.a.domains.values_list("domain", flat=True)) == ["a.gov"]


def test_agency_settings_saves(world, client_for):
    response = client_for(world.a_admin).post(
        SETTINGS,
        {
            "name": "Agency A",
            "acronym": "AA",
            "domains": "a.gov, staff.a.gov",
            "time_zone": "Europe/Paris",
            "default_language": "fr",
            "mfa_required": "on",
        },
    )
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.mfa_required and world.a.time_zone == "Europe/Paris"


def test_agency_settings_field_errors(world, client_for):
    response = client_for(world.a_admin).post(
        SETTINGS,
        {
            "name": "",
            "acronym": "AA",
            "domains": "a.gov",
            "time_zone": "Mars/Olympus",
            "default_language": "en",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "time_zone"}
    world.a.refresh_from_db()
    assert world.a.name == "Agency A"


def test_platform_admin_creates_agency(world, client_for):
    response = client_for(world.platform_admin).post(
        AGENCY_LIST,
        {
            "name": "Agency C",
            "acronym": "AC",
            "slug": "agency-c",
            "domains": "c.gov",
            "time_zone": "UTC",
            "default_language": "en",
        },
    )
    assert response.status_code == 302
    assert Agency.objects.get(slug="agency-c").domains.get().domain == "c.gov"


def test_agency_create_form_shows_invalid_domain_and_creates_nothing(world, client_for):
    response = client_for(world.platform_admin).post(
        AGENCY_LIST,
        {
            "name": "Agency C",
            "acronym": "AC",
            "slug": "agency-c",
            "domains": "not a domain",
            "time_zone": "UTC",
            "default_language": "en",
        },
    )
    assert response.status_code == 200
    assert "not a valid email domain" in response.content.decode()
    assert not Agency.objects.filter(slug="agency-c").exists()


# --- query counts with many rows -----------------------------------------------------------


@pytest.fixture
def crowded(world):
    bulk_members(world.a, [world.hq, world.digital, world.data, world.ops], 240)
    for n in range(60):
        services.unit_create(
            actor=world.a_admin,
            agency=world.a,
            name=f"Team {n}",
            parent=world.data if n % 2 else world.ops,
        )
    return world


@pytest.mark.parametrize("who", ["a_admin", "a_manager", "platform_admin"])
def test_member_list_query_count_is_bounded(crowded, client_for, django_assert_num_queries, who):
    client = client_for(getattr(crowded, who))
    # Warm up: the first request after sign-in saves the session.
    client.get(MEMBER_LIST, {"page": 2})
    # The user, the count and the page of members, and the pending invitations (none here: no
    # count). The session and the acting membership come from the cache.
    with django_assert_num_queries(4):
        response = client.get(MEMBER_LIST, {"page": 2})
    assert response.status_code == 200
    assert response.content.decode().count("/agency/members/") >= 50


def test_unit_list_query_count_is_bounded(crowded, client_for, django_assert_num_queries):
    client = client_for(crowded.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(UNIT_LIST)
    with django_assert_num_queries(3):
        response = client.get(UNIT_LIST)
    assert len(response.context["units"]) == 64


def test_audit_log_query_count_is_bounded(crowded, client_for, django_assert_num_queries):
    # The platform admin's agency filter lists the agencies: one query more.
    for who, queries in [("a_admin", 3), ("platform_admin", 4)]:
        client = client_for(getattr(crowded, who))
        # Warm up: the first request after sign-in saves the session.
        client.get(AUDIT)
        with django_assert_num_queries(queries):
            response = client.get(AUDIT)
        assert len(response.context["page"]) == 50


def test_agency_list_query_count_is_bounded(crowded, client_for, django_assert_num_queries):
    from tests.factories import AgencyFactory

    for n in range(30):
        AgencyFactory(domains=[f"x{n}.gov", f"y{n}.gov"])
    client = client_for(crowded.platform_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(AGENCY_LIST)
    with django_assert_num_queries(3):
        response = client.get(AGENCY_LIST)
    assert len(response.context["agencies"]) == 32


@pytest.mark.parametrize(
    "page, queries",
    [
        ("invite", 2),
        ("edit", 3),
        ("unit_edit", 3),
        ("settings", 3),
    ],
)
def test_form_pages_query_count_is_exact(
    crowded, client_for, django_assert_num_queries, page, queries
):
    url = {
        "invite": INVITE,
        "edit": member_edit(crowded.a_learner.membership),
        "unit_edit": unit_edit(crowded.digital),
        "settings": SETTINGS,
    }[page]
    client = client_for(crowded.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_platform_admin_without_agency_gets_form_error_not_500_for_top_level_unit(
    world, client_for
):
    client = client_for(world.platform_admin)
    response = client.post(UNIT_LIST, {"name": "Orphan", "parent": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Unit.objects.filter(name="Orphan").exists()
    response = client.post(INVITE, {"email": "x@a.gov", "role": "learner", "unit": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Invitation.objects.exists()


def test_platform_admin_adds_unit_under_any_agency_unit(world, client_for):
    response = client_for(world.platform_admin).post(
        UNIT_LIST, {"name": "Sub", "parent": world.branch.pk}
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="Sub").agency == world.b
