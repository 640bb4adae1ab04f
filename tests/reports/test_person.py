"""The manager's view of one person: place, assignments, progress, certificates, reminders."""

import datetime

import pytest
from django.urls import reverse

from agencies.registries import member_links, member_page_url
from learning import services as learning_services
from reminders import services as reminder_services
from reminders.models import Assignee
from tests.builders import build_course, finish_course, simple_course

pytestmark = pytest.mark.django_db


def person_url(user):
    return reverse("reports:person", args=[user.pk])


@pytest.fixture
def assign(django_capture_on_commit_callbacks):
    """Assign through the service and run the materialising task (eagerly) after commit."""

    def do(actor, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            assignment = reminder_services.assignment_create(actor=actor, **kwargs)
        assignment.refresh_from_db()
        return assignment

    return do


@pytest.fixture
def busy_learner(world, assign):
    """Agency A's learner (unit Data): two assigned courses (one extended), one course done on
    their own with its certificate, and a manager's nudge."""
    learner, manager = world.a_learner, world.a_manager
    due = datetime.date.today() + datetime.timedelta(days=30)
    quiz_course = build_course(world.a_trainer, world.a, publish=True)
    second = simple_course(world.a_trainer, world.a, slug="second", title="Second course")
    done = simple_course(world.a_trainer, world.a, slug="done", title="Done course")
    for course in (quiz_course, second):
        assign(manager, course=course, target="people", people=[learner], due_on=due)
    finish_course(learning_services.enrollment_create(user=learner, course=done))
    extended = Assignee.objects.get(user=learner, enrollment__course=second)
    reminder_services.assignee_extend(
        actor=manager,
        assignee=extended,
        due_on=due + datetime.timedelta(days=14),
        reason="On leave",
    )
    nudged = Assignee.objects.get(user=learner, enrollment__course=quiz_course)
    reminder_services.reminder_nudge(actor=manager, assignee=nudged)
    return learner


def test_manager_sees_a_person_in_their_subtree(
    world, busy_learner, client_for, django_assert_num_queries
):
    client = client_for(world.a_manager)
    # Warm up: the first request after sign-in saves the session.
    client.get(person_url(busy_learner))
    # User, the person, enrollments, assignments, certificates, reminders (the session and the
    # actor come from the cache, and the session is renewed at most once a minute).
    with django_assert_num_queries(6):
        response = client.get(person_url(busy_learner))
    assert response.status_code == 200
    context = response.context
    assert context["person"].unit == world.data
    assert [(a["course"].title, a["exception"]) for a in context["assignments"]] == [
        ("Second course", "extension"),
        ("Intro to AI", ""),
    ]
    extended = context["assignments"][0]
    assert extended["due_on"] - context["assignments"][1]["due_on"] == datetime.timedelta(days=14)
    assert {e.course.title: e.status for e in context["enrollments"]} == {
        "Intro to AI": "not_started",
        "Second course": "not_started",
        "Done course": "completed",
    }
    (certificate,) = context["certificates"]
    assert certificate.course_title == "Done course"
    (reminder,) = context["reminders"]
    assert reminder.kind == "nudge" and reminder.enrollment.course.title == "Intro to AI"
    html = response.content.decode()
    for text in ("Data", "Learner", "Extension", "Manager nudge", "Courses completed: 1 of 3"):
        assert text in html
    assert reverse("learning:certificate", args=[certificate.code]) in html


def test_agency_admin_and_platform_admin_see_the_person(world, busy_learner, client_for):
    for viewer in (world.a_admin, world.platform_admin):
        assert client_for(viewer).get(person_url(busy_learner)).status_code == 200


@pytest.mark.parametrize(
    "viewer, person",
    [
        ("b_manager", "a_learner"),  # another agency's manager
        ("b_admin", "a_learner"),  # another agency's admin
        ("a_manager", "a_ops_learner"),  # a sibling unit's person
        ("a_learner", "a_learner"),  # not a people manager, even for themself
        ("a_trainer", "a_learner"),
        ("a_admin", "b_learner"),
    ],
)
def test_anyone_else_gets_404(world, client_for, viewer, person):
    response = client_for(getattr(world, viewer)).get(person_url(getattr(world, person)))
    assert response.status_code == 404


def test_an_unknown_person_is_404_like_a_forbidden_one(world, client_for):
    assert client_for(world.a_admin).get("/reports/people/999999/").status_code == 404


def test_people_list_links_each_name_to_the_person_page(world, client_for):
    html = client_for(world.a_manager).get(reverse("agencies:member_list")).content.decode()
    assert person_url(world.a_learner) in html
    assert person_url(world.a_ops_learner) not in html  # not on the manager's list at all


def test_member_links_registry_holds_the_person_page(world):
    assert member_links["training"].url_name == "reports:person"
    assert member_page_url(world.a_learner.pk) == person_url(world.a_learner)
    with member_links.temporary() as links:
        links._items.clear()
        assert member_page_url(world.a_learner.pk) == ""


def test_overdue_list_links_each_person_to_their_page(world, client_for):
    course = simple_course(world.a_trainer, world.a, slug="late", title="Late course")
    learning_services.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=datetime.date(2020, 1, 1)
    )
    html = client_for(world.a_admin).get(reverse("reports:overdue")).content.decode()
    assert person_url(world.a_learner) in html


def test_person_page_reads_in_french(world, busy_learner, client_for):
    client = client_for(world.a_admin)
    client.cookies["django_language"] = "fr"
    html = client.get(person_url(busy_learner)).content.decode()
    for text in (
        "Dossier de formation",
        "Prolongation",
        "Rappels envoyés",
        "Cours terminés\u00a0: 1 sur 3",
    ):
        assert text in html
