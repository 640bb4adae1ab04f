"""The agency admin's history import page: upload the documented CSV, see what was imported
or every line to fix (nothing written then); nobody else reaches it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning.models import Enrollment
from tests.builders import build_course

PAGE = "learning:history_import"
DAY = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def _csv(text):
    return SimpleUploadedFile("history.csv", text.encode(), content_type="text/csv")


def test_admin_imports_a_csv(world, client_for, course, django_assert_num_queries):
    client = client_for(world.a_admin)
    client.get(reverse(PAGE))
    with django_assert_num_queries(3):
        assert client.get(reverse(PAGE)).status_code == 200
    text = f"email,course,completed_on,score\nlearner@a.gov,{course.slug},{DAY},80\n"
    response = client.post(reverse(PAGE), {"file": _csv(text)})
    assert response.status_code == 200
    assert "1 completion imported." in response.content.decode()
    enrollment = Enrollment.objects.get(user=world.a_learner)
    assert enrollment.imported_at is not None and enrollment.final_score == 80


def test_every_line_to_fix_is_listed_and_nothing_is_written(world, client_for, course):
    text = (
        "email,course,completed_on\n"
        f"learner@a.gov,{course.slug},{DAY}\n"
        f"learner@b.gov,{course.slug},{DAY}\n"
        f"ops@a.gov,nope,{DAY}\n"
    )
    response = client_for(world.a_admin).post(reverse(PAGE), {"file": _csv(text)})
    page = response.content.decode()
    assert "Line 3: nobody in the agency has this address." in page
    assert "Line 4: no published course of the agency has this slug." in page
    assert not Enrollment.objects.exists()
    not_utf8 = SimpleUploadedFile("h.csv", "é".encode("latin-1"), content_type="text/csv")
    assert (
        "UTF-8"
        in client_for(world.a_admin).post(reverse(PAGE), {"file": not_utf8}).content.decode()
    )


def test_only_agency_admins_reach_the_page_and_only_for_their_agency(world, client_for, course):
    for user in (world.a_manager, world.a_learner):
        assert client_for(user).get(reverse(PAGE)).status_code == 404
    text = f"email,course,completed_on\nlearner@a.gov,{course.slug},{DAY}\n"
    response = client_for(world.b_admin).post(reverse(PAGE), {"file": _csv(text)})
    assert "Line 2" in response.content.decode()  # agency A's person is unknown to B
    assert not Enrollment.objects.exists()


def test_the_page_is_in_french(world, client_for, settings):
    client = client_for(world.a_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse(PAGE)).content.decode()
    assert "Importer des achèvements antérieurs" in page


def test_the_person_page_marks_an_imported_completion(world, client_for, course):
    text = f"email,course,completed_on\nlearner@a.gov,{course.slug},{DAY}\n"
    client = client_for(world.a_admin)
    client.post(reverse(PAGE), {"file": _csv(text)})
    page = client.get(reverse("reports:person", args=[world.a_learner.pk])).content.decode()
    assert '<span class="usa-tag">Imported</span>' in page
