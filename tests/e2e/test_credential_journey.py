"""Journey: a learner downloads the Open Badges credential from their certificate page, opens
the public verification page through the certificate's own link, pastes the credential and
reads "Valid" (axe on every page). The course is valid 12 months: both pages show the expiry."""

import pytest

from learning import services as learning_services
from tests.builders import finish_course, simple_course
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_with_certificate(world):
    learner = world.a_learner
    learner.full_name = "Lee Learner"
    learner.save(update_fields=["full_name"])
    course = simple_course(
        world.a_trainer, world.a, slug="first-steps", title="First steps", validity_months=12
    )
    finish_course(learning_services.enrollment_create(user=learner, course=course))
    return learner


def test_learner_downloads_the_credential_and_the_verify_page_says_valid(
    page, live_server, axe_check, learner_with_certificate
):
    sign_in(page, learner_with_certificate.email, axe_check=axe_check)
    page.get_by_role("link", name="My record: all your completions, hours and transcript").click()
    page.get_by_role("link", name="View certificate First steps").click()
    page.get_by_role("heading", name="Digital credential").wait_for()
    expiry = learner_with_certificate.enrollments.get().certificate.expires_at
    assert page.locator("dt", has_text="Valid until").is_visible()
    assert str(expiry.year) in page.locator("dt:has-text('Valid until') + dd").inner_text()
    axe_check(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the signed credential (.jwt)").click()
    token = open(info.value.path(), encoding="utf-8").read()
    assert token.count(".") == 2
    share = page.get_by_label("Share link").input_value()
    assert "/verify/" in share

    page.locator("dl").get_by_role("link").click()  # "Anyone can check it at": the share link
    page.get_by_role("heading", name="Check a digital credential").wait_for()
    assert page.locator("dt", has_text="Valid until").is_visible()
    axe_check(page)
    page.get_by_label("Credential", exact=True).fill(token)
    page.get_by_role("button", name="Verify the credential").click()
    page.wait_for_url("**/credentials/check/")
    result = page.locator("#verify-result")
    assert result.get_by_role("heading").inner_text() == "Valid"
    assert "Lee Learner" in page.locator("main dl").inner_text()
    assert page.locator("table tbody tr").count() == 4
    axe_check(page)

    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    page.get_by_label("Credential", exact=True).fill(tampered)
    page.get_by_role("button", name="Verify the credential").click()
    assert result.get_by_role("heading").inner_text() == "Not valid"
    axe_check(page)
