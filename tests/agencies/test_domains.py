"""Email domains: an agency admin's new domain waits for a platform admin's approval, a domain
of another agency cannot be claimed, and only approved domains place people or allow invites."""

import pytest
from django.urls import reverse

from agencies import services
from agencies.models import AgencyDomain, AuditEvent, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUESTS = reverse("agencies:domain_requests")


def claim(world, domains, actor=None):
    return services.agency_update_settings(
        actor=actor or world.a_admin,
        agency=world.a,
        name=world.a.name,
        acronym=world.a.acronym,
        domains=["a.gov", *domains],
        time_zone=world.a.time_zone,
        default_language=world.a.default_language,
        mfa_required=world.a.mfa_required,
    )


def domain(name):
    return AgencyDomain.objects.get(domain=name)


def test_agency_admins_new_domain_is_pending_and_places_nobody(world):
    claim(world, ["contractors.example"])
    assert domain("contractors.example").status == AgencyDomain.Status.PENDING
    assert services.agency_for_email("x@contractors.example") is None
    user = UserFactory(email="x@contractors.example")
    assert services.membership_join_on_signup(user=user) is None


def test_pending_domain_cannot_be_invited_by_the_agencys_admin(world):
    claim(world, ["contractors.example"])
    with pytest.raises(services.ValidationError, match="approved email domains"):
        services.invitation_create(
            actor=world.a_admin, agency=world.a, email="x@contractors.example"
        )


@pytest.mark.parametrize("taken", ["b.gov", "B.gov", "staff.b.gov", "x.staff.b.gov"])
def test_agency_admin_cannot_claim_another_agencys_domain_or_its_subdomains(world, taken):
    with pytest.raises(services.ValidationError):
        claim(world, [taken])
    assert not AgencyDomain.objects.filter(agency=world.a, domain=taken.lower()).exists()
    refused = AuditEvent.objects.filter(action="agency.update", outcome="rejected").get()
    assert refused.detail["errors"]


def test_agency_admin_cannot_claim_a_domain_above_another_agencys_domain(world):
    AgencyDomain.objects.create(agency=world.b, domain="hq.example.gov", status="approved")
    with pytest.raises(services.ValidationError, match="inside or above"):
        claim(world, ["example.gov"])


def test_platform_admin_sets_approved_domains_and_may_give_a_subdomain(world):
    agency = services.agency_create(
        actor=world.platform_admin,
        name="Bureau of B",
        acronym="BB",
        slug="bb",
        domains=["bureau.b.gov"],
    )
    assert domain("bureau.b.gov").status == AgencyDomain.Status.APPROVED
    assert services.agency_for_email("n@bureau.b.gov") == agency
    with pytest.raises(services.ValidationError, match="already belong"):
        services.agency_create(
            actor=world.platform_admin, name="Copy", acronym="C", slug="copy", domains=["b.gov"]
        )


def test_platform_admin_approves_a_pending_domain_audited(world):
    claim(world, ["contractors.example"])
    services.domain_approve(actor=world.platform_admin, domain=domain("contractors.example"))
    assert domain("contractors.example").status == AgencyDomain.Status.APPROVED
    assert services.agency_for_email("x@contractors.example") == world.a
    event = AuditEvent.objects.get(action="agency.domain_approve")
    assert (event.agency, event.target, event.outcome) == (
        world.a,
        "contractors.example",
        "success",
    )
    invitation = services.invitation_create(
        actor=world.a_admin, agency=world.a, email="x@contractors.example"
    )
    assert invitation is not None and not invitation.across_domains


def test_platform_admin_rejects_a_pending_domain_audited(world):
    claim(world, ["contractors.example"])
    services.domain_reject(actor=world.platform_admin, domain=domain("contractors.example"))
    assert not AgencyDomain.objects.filter(domain="contractors.example").exists()
    assert AuditEvent.objects.get(action="agency.domain_reject").outcome == "success"


def test_agency_admin_cannot_approve_own_domain(world):
    claim(world, ["contractors.example"])
    with pytest.raises(services.ValidationError):
        services.domain_approve(actor=world.a_admin, domain=domain("contractors.example"))
    assert domain("contractors.example").status == AgencyDomain.Status.PENDING
    assert AuditEvent.objects.get(action="agency.domain_approve").outcome == "rejected"


def test_two_agencies_may_ask_for_one_domain_but_only_one_is_approved(world):
    claim(world, ["shared.example"])
    services.agency_update_settings(
        actor=world.b_admin,
        agency=world.b,
        name=world.b.name,
        acronym=world.b.acronym,
        domains=["b.gov", "shared.example"],
        time_zone="UTC",
        default_language="en",
        mfa_required=False,
    )
    first, second = AgencyDomain.objects.filter(domain="shared.example").order_by("agency__name")
    services.domain_approve(actor=world.platform_admin, domain=first)
    with pytest.raises(services.ValidationError, match="Another agency"):
        services.domain_approve(actor=world.platform_admin, domain=second)


# --- the approval page -----------------------------------------------------------------------


def test_platform_admin_reaches_the_requests_by_link_and_approves(
    world, client_for, django_assert_num_queries
):
    claim(world, ["contractors.example", "staff2.a.gov", "lab.a.gov"])
    AgencyDomain.objects.create(agency=world.b, domain="branch.b.gov", requested_by=world.b_admin)
    client = client_for(world.platform_admin)
    assert REQUESTS in client.get(reverse("agencies:agency_list")).content.decode()
    with django_assert_num_queries(QUERIES_REQUESTS_PAGE):
        page = client.get(REQUESTS)
    content = page.content.decode()
    assert "contractors.example" in content and "admin@a.gov" in content
    pending = domain("contractors.example")
    url = reverse("agencies:domain_decide", args=[pending.pk])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    assert domain("contractors.example").status == AgencyDomain.Status.APPROVED
    after = client.get(REQUESTS).content.decode()
    assert "contractors.example is approved for Agency A." in after
    assert "3 domains waiting" in after


# The user and the pending domains with agency and asker: the same whatever the number of
# domains. The session and the actor's membership come from the cache after the first request.
QUERIES_REQUESTS_PAGE = 2


@pytest.mark.parametrize("who", ["a_admin", "b_admin", "a_manager", "a_learner"])
def test_only_platform_admins_see_or_decide_domain_requests(world, client_for, who):
    claim(world, ["contractors.example"])
    client = client_for(getattr(world, who))
    assert client.get(REQUESTS).status_code == 404
    url = reverse("agencies:domain_decide", args=[domain("contractors.example").pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert domain("contractors.example").status == AgencyDomain.Status.PENDING


def test_settings_page_shows_the_domain_waiting_for_approval(world, client_for):
    claim(world, ["contractors.example"])
    content = client_for(world.a_admin).get(reverse("agencies:agency_settings")).content.decode()
    assert "Waiting for a platform admin" in content and "contractors.example" in content


def test_existing_members_are_untouched_by_a_pending_domain(world):
    claim(world, ["contractors.example"])
    assert Membership.objects.filter(agency=world.a).count() == 5
