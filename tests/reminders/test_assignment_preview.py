"""The assignment form: a past due date is refused on its field; submitting shows a preview of
who will be enrolled and what they will receive, and nothing is written until confirmed."""

import pytest
from django.urls import reverse

from learning.models import Enrollment
from learning.services import enrollment_create
from reminders.models import Assignment
from tests.builders import bulk_members, finish_course

pytestmark = pytest.mark.django_db
NEW = reverse("reminders:assignment_create")


def form_data(course, **extra):
    return {
        "course": course.pk,
        "target": "unit",
        "unit": "",
        "due_kind": "date",
        "due_on": "2027-03-21",
        "required": "on",
        **extra,
    }


def test_form_refuses_a_past_due_date_on_its_field_and_offers_days(
    world, course_a, client_for, frozen
):
    client = client_for(world.a_manager)
    page = client.get(NEW).content.decode()
    assert "Due N days from the day each person is assigned" in page
    response = client.post(
        NEW, form_data(course_a, unit=world.digital.pk, due_on="2020-01-01", confirm="1")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_due_on-error"' in html and "cannot be before today" in html
    assert not Assignment.objects.exists() and not Enrollment.objects.exists()


def test_preview_lists_people_due_date_and_reminders_and_writes_nothing(
    world, course_a, client_for, frozen
):
    enrollment = enrollment_create(user=world.a_learner, course=course_a)
    finish_course(enrollment)
    client = client_for(world.a_manager)
    response = client.post(NEW, form_data(course_a, unit=world.digital.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 people will be enrolled" in html
    assert "Intro to AI: 1 of them already completed it, 0 already enrolled" in html
    for person in (world.a_manager, world.a_trainer, world.a_learner):
        assert person.email in html
    assert "Due on March 21, 2027 for everyone enrolled now." in html
    assert "Coming due: 14 days before the due date (March 7, 2027)" in html
    assert "Overdue: every 7 days after the due date" in html
    assert "Their manager is told once they are 7 days overdue" in html
    assert "Confirm and assign" in html and 'name="change"' in html
    assert not Assignment.objects.exists()
    assert Enrollment.objects.count() == 1


def test_preview_of_a_relative_due_date_says_each_persons_date(world, course_a, client_for, frozen):
    client = client_for(world.a_manager)
    response = client.post(
        NEW, form_data(course_a, unit=world.data.pk, due_kind="days", due_days="10", due_on="")
    )
    html = response.content.decode()
    assert "1 person will be enrolled" in html
    assert "Due 10 days from the day each person is assigned: March 11, 2027" in html


def test_preview_shows_the_first_twenty_names_in_a_bounded_number_of_queries(
    world, course_a, client_for, frozen, django_assert_num_queries
):
    bulk_members(world.a, [world.data], 60)
    client = client_for(world.a_admin)
    data = form_data(course_a, unit=world.data.pk)
    # Warm up: the first request after sign-in saves the session.
    client.get(NEW)
    # User (the session and the membership come from the cache); the form: course and unit
    # choices (2); the check: agency, course available, unit visible (3); the preview: names,
    # count, course, enrollment counts, policy (5).
    with django_assert_num_queries(11):
        response = client.post(NEW, data)
    html = response.content.decode()
    assert "61 people will be enrolled" in html
    assert "The first 20 people" in html and "and 41 more people." in html
    assert not Assignment.objects.exists()


def test_change_goes_back_to_the_form_with_the_values_kept(world, course_a, client_for, frozen):
    client = client_for(world.a_manager)
    data = form_data(course_a, unit=world.digital.pk, change="1")
    html = client.post(NEW, data).content.decode()
    assert 'value="2027-03-21"' in html
    assert f'<option value="{world.digital.pk}" selected>' in html
    assert "Continue" in html and "Confirm and assign" not in html
    assert not Assignment.objects.exists()


def test_confirm_assigns_and_goes_to_the_assignment(
    world, course_a, client_for, frozen, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    preview = client.post(NEW, form_data(course_a, unit=world.digital.pk)).content.decode()
    assert 'name="due_on" value="2027-03-21"' in preview  # carried in hidden fields
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form_data(course_a, unit=world.digital.pk, confirm="1"))
    assignment = Assignment.objects.get()
    assert response["Location"] == reverse("reminders:assignment_detail", args=[assignment.pk])
    assert Enrollment.objects.filter(course=course_a).count() == 3


def test_preview_refuses_what_the_service_refuses(world, course_a, client_for, frozen):
    client = client_for(world.a_manager)
    response = client.post(NEW, form_data(course_a, unit=world.ops.pk))
    assert response.status_code == 200 and "Confirm and assign" not in response.content.decode()
