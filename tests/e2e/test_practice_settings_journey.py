"""Journey: an agency admin sets the agency's review target on Agency settings (a wrong value
first), then names the reviewers of a course from Reviews. Every page by links; axe on every
page; in English and in French."""

import re

import pytest

from practice.models import CourseReviewer, PracticeSettings
from tests.builders import simple_course, with_practice_task
from tests.e2e.conftest import both_languages, nav, sign_in, switch_language

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COURSE = "Handling personal data"


@both_languages
def test_admin_sets_the_review_target_and_names_the_reviewers(
    page, live_server, axe_check, world, t, language
):
    course = simple_course(world.a_trainer, world.a, slug="personal-data", title=COURSE)
    with_practice_task(world.a_trainer, course)
    sign_in(page, world.a_admin.email, axe_check=axe_check)
    if language == "fr":
        switch_language(page, "Français")

    nav(page, t("Manage"), t("Agency settings"))
    page.get_by_role("heading", level=2, name=t("Practice task reviews")).wait_for()
    section = page.locator("form:has(input[name=section][value=practice])")
    target = section.get_by_label(t("Review target for practice tasks (hours)"))
    target.fill("0")
    section.get_by_role("button", name=t("Save")).click()
    page.locator("form:has(input[name=section][value=practice]) .usa-error-message").wait_for()
    axe_check(page)
    assert not PracticeSettings.objects.exists()
    page.locator("form:has(input[name=section][value=practice])").get_by_label(
        t("Review target for practice tasks (hours)")
    ).fill("24")
    page.locator("form:has(input[name=section][value=practice])").get_by_role(
        "button", name=t("Save")
    ).click()
    page.get_by_text(t("Review target saved.")).wait_for()
    axe_check(page)
    assert PracticeSettings.objects.get(agency=world.a).review_target_hours == 24

    nav(page, t("Reviews"))
    page.get_by_role("link", name=t("Reviewers of practice tasks")).click()
    page.get_by_role("heading", level=1, name=t("Reviewers of practice tasks")).wait_for()
    axe_check(page)
    page.get_by_role("link", name=re.compile(rf"^{re.escape(t('Change'))}")).click()
    axe_check(page)
    page.locator("label", has_text=world.a_trainer.full_name).click()
    page.get_by_role("button", name=t("Save")).click()
    page.get_by_text(t("Reviewers saved.")).wait_for()
    assert world.a_trainer.full_name in page.locator("main").inner_text()
    axe_check(page)
    assert list(CourseReviewer.objects.values_list("user_id", flat=True)) == [world.a_trainer.pk]
