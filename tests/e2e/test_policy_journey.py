"""Journey: the agency admin publishes the AI policy (Manage > AI policy), a learner
acknowledges it from My learning (a wrong name is refused beside the field), and the manager
sees it under Reports > AI policy acknowledgements. Links only, from the home page; axe on
every page."""

import pytest

from policies.models import Acknowledgement
from tests.e2e.conftest import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        header.get_by_role("button", name="Sign out").click()


def test_admin_publishes_learner_acknowledges_manager_sees_it(page, live_server, axe_check, world):
    sign_in(page, world.a_admin.email, axe_check=axe_check)
    nav(page, "Manage", "AI policy")
    page.get_by_role("heading", level=1, name="AI policy").wait_for()
    axe_check(page)
    page.get_by_label("Title").fill("Rules for AI tools")
    page.get_by_label("Policy text in English (Markdown)").fill(
        "## Approved tools\n\nUse **approved** tools only."
    )
    page.get_by_label("Policy text in French (Markdown, optional)").fill(
        "## Outils approuvés\n\nN’utilisez que des outils **approuvés**."
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    assert "approved" in page.locator("section[aria-labelledby=preview-heading]").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Save and publish").click()
    page.get_by_text("Version 1 is published").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Version 1").click()
    page.get_by_role("heading", level=1, name="Rules for AI tools").wait_for()
    axe_check(page)
    sign_out(page)

    sign_in(page, world.a_learner.email, axe_check=axe_check)
    nav(page, "My learning")
    axe_check(page)
    page.get_by_role("link", name="Acknowledge the AI policy").click()
    page.get_by_role("heading", level=1, name="Rules for AI tools").wait_for()
    axe_check(page)
    page.get_by_label("Your full name").fill("Someone Else")
    page.get_by_role("button", name="I acknowledge this policy").click()
    page.get_by_text("Type your full name as it appears on your account.").wait_for()
    axe_check(page)
    page.get_by_label("Your full name").fill(world.a_learner.full_name.upper())
    page.get_by_role("button", name="I acknowledge this policy").click()
    page.get_by_text("your acknowledgement is recorded").wait_for()
    axe_check(page)
    assert Acknowledgement.objects.get().user == world.a_learner
    sign_out(page)

    sign_in(page, world.a_manager.email, axe_check=axe_check)
    nav(page, "Reports", "AI policy acknowledgements")
    page.get_by_role("heading", level=1, name="AI policy acknowledgements").wait_for()
    axe_check(page)
    table = page.locator("main table").inner_text()
    assert world.a_learner.full_name in table
    assert world.a_ops_learner.full_name not in table  # a sibling unit
    assert "1 person has acknowledged it" in page.locator("main").inner_text()

    # The dashboard's panel says it too, and links to the names.
    nav(page, "Reports", "Dashboard")
    panel = page.locator("section[aria-labelledby=ai-policy-panel]")
    panel.wait_for()
    axe_check(page)
    terms = panel.locator("dt").all_inner_texts()
    figures = dict(zip(terms, panel.locator("dd").all_inner_texts(), strict=True))
    # the manager's three people (Digital and Data): the learner has acknowledged
    assert figures["Acknowledged the current version"] == "1"
    assert figures["Not yet"] == "2"
    panel.get_by_role("link", name="See who has acknowledged the AI policy").click()
    page.get_by_role("heading", level=1, name="AI policy acknowledgements").wait_for()
