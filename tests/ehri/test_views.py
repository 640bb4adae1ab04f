"""The agency admin's pages: linked from Manage, scoped to the agency (404 across agencies),
bounded in queries, and the downloads behind the same check."""

import pytest
from django.urls import reverse

from ehri import services
from ehri.models import CourseCoding, FeedExport

from ..builders import simple_course
from .conftest import CODES, complete, this_month

pytestmark = pytest.mark.django_db

FEED = "/agency/ehri/"


def test_the_feed_page_is_linked_from_the_agency_admins_manage_menu(world, client_for):
    response = client_for(world.a_admin).get(reverse("agencies:agency_settings"))
    assert FEED.encode() in response.content
    assert reverse("ehri:feed") == FEED


def test_learners_managers_and_trainers_get_404_on_the_feed_page(world, client_for):
    for user in (world.a_learner, world.a_manager, world.a_trainer):
        assert client_for(user).get(FEED).status_code == 404


def test_the_feed_page_lists_rejections_with_links_in_bounded_queries(
    world, reporting, client_for, django_assert_max_num_queries
):
    other = simple_course(world.platform_admin, None, slug="uncoded", title="Uncoded")
    for learner in (world.a_ops_learner, world.a_manager, world.a_trainer):
        complete(learner, other)
    client = client_for(world.a_admin)
    start, end = this_month(world.a)
    period = {"start": start.isoformat(), "end": end.isoformat()}
    client.get(FEED, period)  # warm the session and the actor cache
    with django_assert_max_num_queries(16):
        response = client.get(FEED, period)
    page = response.content.decode()
    assert "3 completions OPM would reject" in page
    assert "1 completion ready to report" in page
    assert reverse("ehri:employee_ids") in page


def test_an_admin_downloads_the_feed_and_another_agencys_admin_gets_404(
    world, reporting, client_for, django_capture_on_commit_callbacks
):
    start, end = this_month(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a_admin).post(
            reverse("ehri:request"), {"start": start.isoformat(), "end": end.isoformat()}
        )
    assert response.status_code == 302
    export = FeedExport.objects.get()
    assert export.status == "done", export.error
    url = reverse("ehri:download", args=[export.pk, "xml"])
    response = client_for(world.a_admin).get(url)
    assert response.status_code == 200
    assert b"TrainingDataFeed" in b"".join(response.streaming_content)
    assert client_for(world.b_admin).get(url).status_code == 404
    assert client_for(world.a_manager).get(url).status_code == 404


def test_a_trainer_codes_their_agencys_course_and_another_agency_gets_404(world, client_for):
    course = simple_course(world.a_trainer, world.a, slug="mine", title="Mine")
    url = reverse("ehri:coding", args=[course.pk])
    response = client_for(world.a_trainer).post(
        url,
        {
            **CODES,
            "training_accreditation_indicator": "N",
            "continued_service_agreement_required_indicator": "NA",
        },
    )
    assert response.status_code == 302
    assert CourseCoding.objects.get(course=course, agency=world.a).training_type_code == (
        "Developmental Training"
    )
    for user in (world.b_admin, world.b_learner, world.a_learner):
        assert client_for(user).get(url).status_code == 404


def test_the_course_list_shows_what_each_course_lacks(
    world, client_for, django_assert_max_num_queries
):
    for i in range(5):
        simple_course(world.a_trainer, world.a, slug=f"c{i}", title=f"Course {i}")
    client = client_for(world.a_admin)
    client.get(reverse("ehri:courses"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("ehri:courses")).content.decode()
    assert page.count("the course has no EHRI coding") == 5


def test_the_employee_id_import_refuses_an_ssn_and_saves_nothing(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ids.csv", b"email,employee_id\nops@a.gov,123-45-6789\n")
    response = client_for(world.a_admin).post(reverse("ehri:employee_ids"), {"file": upload})
    assert response.status_code == 200
    assert "Social Security" in response.content.decode()
    assert not services.EmployeeId.objects.exists()
