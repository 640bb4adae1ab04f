"""Journeys: a learner opens My record and downloads it; a manager opens one person's page."""

import csv
import datetime

import pytest

from learning import services as learning_services
from tests.builders import finish_course, simple_course
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_with_history(world):
    learner = world.a_learner
    learner.full_name = "Lee Learner"
    learner.save(update_fields=["full_name"])
    for slug, title in (("first-steps", "First steps"), ("next-steps", "Next steps")):
        course = simple_course(world.a_trainer, world.a, slug=slug, title=title)
        finish_course(learning_services.enrollment_create(user=learner, course=course))
    late = simple_course(world.a_trainer, world.a, slug="late", title="Late course")
    learning_services.enrollment_create(
        user=learner, course=late, required=True, due_on=datetime.date(2020, 1, 6)
    )
    return learner


def test_learner_opens_my_record_and_downloads_it(
    page, live_server, axe_check, learner_with_history
):
    sign_in(page, learner_with_history.email, axe_check=axe_check)
    page.get_by_role("link", name="My record: all your completions, hours and transcript").click()
    page.wait_for_url("**/learn/record/")
    assert page.get_by_role("heading", level=1).inner_text() == "My record"
    assert "2 completed courses, 0.3 hours of training in total." in page.content()
    assert page.locator("table tbody tr").count() == 2
    assert "accessible equivalent" in page.locator(".usa-hint").inner_text()
    axe_check(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(open(info.value.path(), encoding="utf-8-sig")))
    assert [row[0] for row in rows] == ["Course", "Next steps", "First steps"]
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF transcript").click()
    assert open(info.value.path(), "rb").read(4) == b"%PDF"

    page.get_by_role("link", name="View certificate First steps").click()
    axe_check(page)


def test_manager_opens_a_persons_page_from_the_people_list(
    page, live_server, axe_check, world, learner_with_history
):
    sign_in(page, world.a_manager.email, axe_check=axe_check)
    page.get_by_role("link", name="Manage people").click()
    page.wait_for_url("**/members/")
    axe_check(page)
    page.get_by_role("link", name="Lee Learner").click()
    page.wait_for_url(f"**/reports/people/{learner_with_history.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lee Learner"
    assert "Data" in page.locator("main dl").inner_text()
    progress = page.locator("#progress-heading + div table")
    assert "Courses completed: 2 of 3" in progress.locator("caption").inner_text()
    assert "overdue" in progress.inner_text().lower()  # a tag, shown in capitals
    axe_check(page)

    page.get_by_role("link", name="Back to People").click()
    page.wait_for_url("**/members/")
