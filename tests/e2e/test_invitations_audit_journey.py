"""An agency admin invites someone, finds the invitation on People, resends and revokes it,
then finds the revocation in the audit log with its before and after: from the home page by
the header's links, on a laptop and a phone."""

import pytest
from django.core import mail

from agencies.models import AuditEvent, Invitation, Role
from tests.builders import make_member
from tests.e2e.conftest import both_widths, nav, sign_in
from tests.factories import AgencyFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@both_widths
def test_admin_resends_and_revokes_an_invitation_and_audits_it(page, live_server, axe_check):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    UnitFactory(agency=agency, name="Field office")
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")

    sign_in(page, "admin@example.gov", axe_check=axe_check)
    axe_check(page)
    nav(page, "Manage", "People")
    page.wait_for_url("**/agency/members/")
    assert "No pending invitations." in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url("**/agency/members/invite/")
    axe_check(page)
    page.get_by_label("Email address").fill("newcomer@example.gov")
    page.get_by_label("Role").select_option(label="Trainer")
    page.get_by_label("Unit").select_option(label="Field office")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url("**/agency/members/")
    assert Invitation.objects.get().role == Role.TRAINER
    axe_check(page)

    # Searching People finds the pending invitation by its address.
    page.get_by_label("Search people by name or email").fill("newcomer")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/agency/members/?q=newcomer")
    row = page.locator("tr", has_text="newcomer@example.gov")
    assert "Field office" in row.inner_text() and "admin@example.gov" in row.inner_text()
    axe_check(page)

    row.get_by_role("button", name="Resend the invitation to newcomer@example.gov").click()
    page.wait_for_url("**/agency/members/")
    assert "Invitation sent again to newcomer@example.gov" in page.locator("main").inner_text()
    assert [m.to for m in mail.outbox] == [["newcomer@example.gov"]] * 2
    axe_check(page)

    page.get_by_role("link", name="Revoke the invitation to newcomer@example.gov").click()
    page.wait_for_url("**/revoke/")
    axe_check(page)
    page.get_by_role("button", name="Revoke invitation").click()
    page.wait_for_url("**/agency/members/")
    assert "was revoked" in page.locator("main").inner_text()
    assert "No pending invitations." in page.locator("main").inner_text()
    assert Invitation.objects.get().revoked_at is not None

    nav(page, "Manage", "Audit log")
    page.wait_for_url("**/agency/audit/")
    axe_check(page)
    page.get_by_label("What").select_option(label="Revoked an invitation")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/agency/audit/?*action=member.invite_revoke*")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "Revoked an invitation" in text and "newcomer@example.gov" in text
    assert "Pending" in text and "Revoked" in text
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of the filtered audit log").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Revoked an invitation" in content and "Invited someone" not in content

    # On a phone the table stacks: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert AuditEvent.objects.filter(action="member.invite_resend").count() == 1
