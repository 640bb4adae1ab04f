"""Journey: a trainer asks to open a live session (with a topic) to every agency; a platform
admin approves it from Manage > Live session sharing requests; a learner of another agency
finds it on Live sessions by its topic and registers. axe on every page."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Topic
from live import services
from live.models import Registration, Sharing
from tests.e2e.conftest import fill_sign_in_form, nav, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TITLE = "Privacy office hours for every agency"


def _code():
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


def _sign_out(page):
    header = page.locator("header.usa-header")
    if header.locator(".usa-menu-btn").is_visible():
        header.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        header.get_by_role("button", name="Sign out").click()


def test_shared_session_is_approved_and_found_by_topic_in_another_agency(page, axe_check, world):
    from allauth.mfa.totp.internal.auth import TOTP

    privacy = Topic.objects.create(slug="privacy", name="Privacy")
    Topic.objects.create(slug="security", name="Security")
    starts = (timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    common = dict(
        description="",
        format="online",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=10,
        location="",
        join_url="https://meet.example.gov/privacy",
        host=world.a_trainer,
        language="en",
        course=None,
    )
    session = services.session_create(
        actor=world.a_trainer, title=TITLE, topics=[privacy], **common
    )
    services.session_create(actor=world.a_trainer, title="Agency A only", **common)
    services.session_sharing_set(actor=world.a_trainer, session=session, every_agency=True)

    # The platform admin approves from the header's Manage menu.
    admin = UserFactory(email="approver@academy.gov", is_platform_admin=True)
    TOTP.activate(admin, SECRET)
    page.goto("/")
    nav(page, "Sign in")
    fill_sign_in_form(page, admin.email, settings.ACADEMY_DEMO_PASSWORD)
    page.locator("#id_code").fill(_code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    nav(page, "Manage", "Live session sharing requests")
    page.wait_for_url("**/live/sharing-requests/")
    axe_check(page)
    page.get_by_role("button", name=f"Open “{TITLE}” to every agency").click()
    page.get_by_text(f"“{TITLE}” is now open to every agency.").wait_for()
    axe_check(page)
    session.refresh_from_db()
    assert session.sharing == Sharing.APPROVED
    _sign_out(page)

    # A learner of agency B finds it by its topic and registers.
    sign_in(page, world.b_learner.email, axe_check=axe_check)
    nav(page, "Live sessions")  # a learner's header lists the Learning links directly
    page.wait_for_url("**/live/")
    page.get_by_label("Topic").select_option("privacy")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/live/?topic=privacy*")
    axe_check(page)
    main = page.locator("main").inner_text()
    assert TITLE in main and "Agency A only" not in main
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("You are registered. An invitation is on its way by email.").wait_for()
    axe_check(page)
    assert Registration.objects.get(user=world.b_learner).status == "registered"
