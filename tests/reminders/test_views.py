"""Reminder pages: permissions, 404 across agencies, bounded queries, and the happy paths."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Role
from learning.models import Enrollment
from reminders import services
from reminders.models import (
    Assignment,
    Kind,
    LogStatus,
    Notification,
    ReminderLog,
    ReminderPolicy,
    TargetKind,
)
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import bulk_members, make_member

from .conftest import T0

pytestmark = pytest.mark.django_db
DUE = datetime.date(2027, 3, 21)
LIST = reverse("reminders:assignment_list")
NEW = reverse("reminders:assignment_create")
OVERDUE = reverse("reports:overdue")  # the one overdue list (reminders:overdue redirects)
POLICY = reverse("reminders:policy")
NOTIFICATIONS = reverse("reminders:notifications")
PREFERENCES = reverse("reminders:preferences")


def detail(assignment):
    return reverse("reminders:assignment_detail", args=[assignment.pk])


@pytest.fixture
def unit_assignment(world, course_a, assign, frozen):
    return assign(
        world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.digital, due_on=DUE
    )


@pytest.fixture
def crowded(world, course_a, assign, frozen):
    """60 learners in Data with an overdue required assignment, and notifications."""
    bulk_members(world.a, [world.data], 60)
    assignment = assign(
        world.a_admin,
        course=course_a,
        target=TargetKind.UNIT,
        unit=world.data,
        due_on=T0.date() - datetime.timedelta(days=10),
        now=T0 - datetime.timedelta(days=30),  # assigned a month ago, overdue since
    )
    for n in range(3):
        assign(
            world.a_admin,
            course=course_a,
            target=TargetKind.UNIT,
            unit=world.digital,
            due_on=DUE + datetime.timedelta(days=n),
        )
    return assignment


def test_manager_assigns_a_course_to_a_unit_and_sees_progress(
    world, course_a, client_for, frozen, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                "course": course_a.pk,
                "target": "unit",
                "unit": world.digital.pk,
                "due_kind": "date",
                "due_on": "2027-03-21",
                "required": "on",
                "confirm": "1",
            },
        )
    assignment = Assignment.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(assignment)
    page = client.get(detail(assignment)).content.decode()
    assert "3 of 3 people enrolled" in page and "Send a reminder" in page
    assert Enrollment.objects.filter(course=course_a, required=True).count() == 3


def test_form_refuses_units_and_people_outside_the_managers_scope(world, course_a, client_for):
    client = client_for(world.a_manager)
    response = client.post(
        NEW,
        {
            "course": course_a.pk,
            "target": "unit",
            "unit": world.ops.pk,
            "due_kind": "date",
            "due_on": "2027-03-21",
        },
    )
    assert response.status_code == 200 and not Assignment.objects.exists()
    response = client.post(
        NEW,
        {
            "course": course_a.pk,
            "target": "people",
            "people": "learner@b.gov",
            "due_kind": "days",
            "due_days": "10",
        },
    )
    assert "not in your units" in response.content.decode()
    response = client.post(
        NEW, {"course": course_a.pk, "target": "agency", "due_kind": "days", "due_days": "10"}
    )
    assert response.status_code == 200 and not Assignment.objects.exists()


def test_remove_is_a_post_that_stops_reminders(world, unit_assignment, client_for):
    client = client_for(world.a_manager)
    url = reverse("reminders:assignment_remove", args=[unit_assignment.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    unit_assignment.refresh_from_db()
    assert unit_assignment.removed_at is not None
    assert "Removed on" in client.get(detail(unit_assignment)).content.decode()


def test_manager_cannot_remove_an_assignment_an_agency_admin_made(
    world, course_a, assign, client_for, frozen
):
    """Only the assigner's level or above removes: the manager sees the admin's assignment for
    their unit, without the Remove button, and a forged POST is refused with a message."""
    from django.core.exceptions import ValidationError

    by_admin = assign(
        world.a_admin, course=course_a, target=TargetKind.UNIT, unit=world.digital, due_on=DUE
    )
    client = client_for(world.a_manager)
    page = client.get(detail(by_admin)).content.decode()
    assert page.count("Remove assignment") == 0
    remove = reverse("reminders:assignment_remove", args=[by_admin.pk])
    response = client.post(remove, follow=True)
    assert "Only the person who made this assignment" in response.content.decode()
    by_admin.refresh_from_db()
    assert by_admin.removed_at is None
    with pytest.raises(ValidationError):
        services.assignment_remove(actor=world.a_manager, assignment=by_admin)
    # The admin who made it (or any admin of the agency) may.
    assert "Remove assignment" in client_for(world.a_admin).get(detail(by_admin)).content.decode()
    services.assignment_remove(actor=world.a_admin, assignment=by_admin)


def test_manager_removes_assignments_of_managers_below_but_not_above(
    world, course_a, assign, client_for, frozen
):
    data_manager = make_member(world.a, Role.MANAGER, world.data, email="data-manager@a.gov")
    from_below = assign(
        data_manager, course=course_a, target=TargetKind.UNIT, unit=world.data, due_on=DUE
    )
    from_above = assign(
        world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.data, due_on=DUE
    )
    page = client_for(data_manager).get(detail(from_above)).content.decode()
    assert "Remove assignment" not in page
    client_for(data_manager).post(reverse("reminders:assignment_remove", args=[from_above.pk]))
    from_above.refresh_from_db()
    assert from_above.removed_at is None
    client = client_for(world.a_manager)
    assert "Remove assignment" in client.get(detail(from_below)).content.decode()
    client.post(reverse("reminders:assignment_remove", args=[from_below.pk]))
    from_below.refresh_from_db()
    assert from_below.removed_at is not None


@pytest.mark.parametrize("who", ["b_admin", "b_manager", "a_learner"])
def test_other_agencies_and_learners_get_404(world, unit_assignment, client_for, who):
    client = client_for(getattr(world, who))
    assignee = unit_assignment.assignees.first()
    assert client.get(detail(unit_assignment)).status_code == 404
    assert (
        client.post(reverse("reminders:assignment_remove", args=[unit_assignment.pk])).status_code
        == 404
    )
    assert client.post(reverse("reminders:nudge", args=[assignee.pk])).status_code == 404
    assert not ReminderLog.objects.filter(kind=Kind.NUDGE).exists()


def test_manager_of_another_unit_cannot_see_the_assignment(
    world, course_a, assign, client_for, frozen
):
    from agencies.models import Role
    from tests.builders import make_member

    ops_manager = make_member(world.a, Role.MANAGER, world.ops, email="opsmanager@a.gov")
    assignment = assign(
        world.a_manager, course=course_a, target=TargetKind.UNIT, unit=world.data, due_on=DUE
    )
    assert client_for(ops_manager).get(detail(assignment)).status_code == 404
    assert client_for(world.a_admin).get(detail(assignment)).status_code == 200


def test_policy_page_is_for_agency_admins_only(world, client_for):
    assert client_for(world.a_manager).get(POLICY).status_code == 404
    client = client_for(world.a_admin)
    assert client.get(POLICY).status_code == 200
    response = client.post(
        POLICY,
        {
            "before_days": "10, 2",
            "on_due_date": "on",
            "overdue_every_days": "3",
            "escalate_after_days": "5",
            "digest_weekday": "4",
            "send_hour": "9",
        },
    )
    assert response.status_code == 302
    policy = ReminderPolicy.objects.get(agency=world.a)
    assert (policy.before_days, policy.overdue_every_days, policy.send_hour) == ([10, 2], 3, 9)
    response = client.post(
        POLICY,
        {
            "before_days": "ten",
            "overdue_every_days": "3",
            "escalate_after_days": "5",
            "digest_weekday": "4",
            "send_hour": "9",
        },
    )
    assert "whole numbers" in response.content.decode()


def test_nudge_goes_through_the_log_and_is_rate_limited(
    world, crowded, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    assignee = crowded.assignees.get(user=world.a_learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reminders:nudge", args=[assignee.pk]))
    assert [m.subject for m in mailoutbox] == [
        "Your manager reminds you: “Intro to AI”, due on Feb. 19, 2027"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reminders:nudge", args=[assignee.pk]), follow=True)
    assert "already been reminded about this today" in response.content.decode()
    assert len(mailoutbox) == 1
    assert ReminderLog.objects.get(kind=Kind.NUDGE).status == LogStatus.SENT


def test_nudge_everyone_overdue_once_an_hour(
    world, crowded, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.a_manager)
    confirm = client.get(reverse("reminders:nudge_overdue")).content.decode()
    assert "This will send a reminder to 61 people." in confirm and not mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reminders:nudge_overdue"), follow=True)
    assert response.redirect_chain[-1][0] == OVERDUE
    assert "61 reminders sent to people overdue." in response.content.decode()
    assert len(mailoutbox) == 61
    again = client.get(reverse("reminders:nudge_overdue")).content.decode()
    assert "No one can be reminded now." in again
    assert "61 overdue trainings were already reminded today" in again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reminders:nudge_overdue"), follow=True)
    assert "less than an hour ago" in response.content.decode()
    assert len(mailoutbox) == 61


def test_nudges_per_hour_are_limited(world, crowded, settings):
    from django.core.exceptions import ValidationError

    settings.REMINDERS_NUDGES_PER_HOUR = 2
    people = list(crowded.assignees.all()[:3])
    services.reminder_nudge(actor=world.a_manager, assignee=people[0])
    services.reminder_nudge(actor=world.a_manager, assignee=people[1])
    with pytest.raises(ValidationError, match="many reminders"):
        services.reminder_nudge(actor=world.a_manager, assignee=people[2])


def test_notifications_bell_list_and_mark_read(world, client_for):
    for n in range(3):
        Notification.objects.create(user=world.a_learner, title=f"Reminder {n}")
    client = client_for(world.a_learner)
    home = client.get(NOTIFICATIONS).content.decode()
    assert "Notifications (3 unread)" in home
    first = Notification.objects.filter(user=world.a_learner).first()
    client.post(reverse("reminders:notification_read", args=[first.pk]))
    assert "Notifications (2 unread)" in client.get(NOTIFICATIONS).content.decode()
    client.post(reverse("reminders:notifications_read_all"))
    page = client.get(NOTIFICATIONS).content.decode()
    assert "unread" not in page
    # Someone else's notification is not theirs to mark.
    other = Notification.objects.create(user=world.b_learner, title="Theirs")
    client.post(reverse("reminders:notification_read", args=[other.pk]))
    other.refresh_from_db()
    assert other.read_at is None


def test_learner_chooses_the_digest_for_recommended_training(world, client_for):
    client = client_for(world.a_learner)
    assert client.get(PREFERENCES).status_code == 200
    client.post(PREFERENCES, {"recommended_digest": "on", "language": "fr"})
    pref = world.a_learner.reminder_preference
    assert pref.recommended_digest and pref.language == "fr"


def test_materialised_enrollments_keep_dashboard_aggregates_in_step(world, crowded):
    drift = aggregates_recompute_agency(agency_id=world.a.pk, repair=False)
    # Only the enrollment aggregates are ours (the fixture's people are bulk-inserted).
    assert [d for d in drift if "member" not in d.table.lower()] == []


@pytest.mark.parametrize(
    "url_name, queries",
    [
        ("list", 3),
        ("detail", 7),  # + its extensions and exemptions, + its due date changes
        ("overdue", 8),  # the reports overdue page, with the nudges of 50 assigned rows
        ("policy", 5),
        ("notifications", 3),
    ],
)
def test_pages_run_an_exact_number_of_queries(
    world, crowded, client_for, url_name, queries, django_assert_num_queries
):
    for n in range(30):
        Notification.objects.create(user=world.a_admin, title=f"Reminder {n}")
    url = {
        "list": LIST,
        "detail": detail(crowded),
        "overdue": OVERDUE,
        "policy": POLICY,
        "notifications": NOTIFICATIONS,
    }[url_name]
    client = client_for(world.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_pages_need_sign_in(client):
    for url in (LIST, NEW, OVERDUE, POLICY, NOTIFICATIONS, PREFERENCES):
        assert client.get(url).status_code == 302


def test_time_machine_is_usable_in_views(world, client_for):
    with time_machine.travel(T0, tick=False):
        assert client_for(world.a_admin).get(LIST).status_code == 200


@pytest.mark.parametrize(
    "target", ["//evil.example/phish", "/\\evil.example/phish", "https://evil.example/phish"]
)
def test_nudge_does_not_redirect_off_site(world, crowded, client_for, target):
    client = client_for(world.a_manager)
    assignee = crowded.assignees.get(user=world.a_learner)
    response = client.post(reverse("reminders:nudge", args=[assignee.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == OVERDUE


def test_nudge_returns_to_the_page_it_came_from(world, crowded, client_for):
    client = client_for(world.a_manager)
    assignee = crowded.assignees.get(user=world.a_learner)
    response = client.post(
        reverse("reminders:nudge", args=[assignee.pk]), {"next": detail(crowded)}
    )
    assert response["Location"] == detail(crowded)


def _move(actor, user, unit):
    from agencies.models import Membership
    from agencies.services import membership_update

    membership = Membership.objects.get(user=user)
    membership_update(actor=actor, membership=membership, role=membership.role, unit=unit)


def _shown(user):
    from django.utils.html import escape

    return escape(user.full_name or user.email)


@pytest.fixture
def data_overdue(world, course_a, assign, frozen):
    """The learner in Data (below the manager's Digital) is overdue on a unit assignment."""
    return assign(
        world.a_admin,
        course=course_a,
        target=TargetKind.UNIT,
        unit=world.data,
        due_on=T0.date() - datetime.timedelta(days=10),
        now=T0 - datetime.timedelta(days=30),  # assigned a month ago, overdue since
    )


def test_manager_loses_a_learner_who_moves_to_a_sibling_unit(world, data_overdue, client_for):
    assignee = data_overdue.assignees.get(user=world.a_learner)
    client = client_for(world.a_manager)
    assert _shown(world.a_learner) in client.get(OVERDUE).content.decode()
    _move(world.a_admin, world.a_learner, world.ops)
    assert _shown(world.a_learner) not in client.get(OVERDUE).content.decode()
    assert _shown(world.a_learner) not in client.get(detail(data_overdue)).content.decode()
    assert client.post(reverse("reminders:nudge", args=[assignee.pk])).status_code == 404
    assert not ReminderLog.objects.filter(kind=Kind.NUDGE).exists()
    ops_manager = make_member(world.a, Role.MANAGER, world.ops)
    assert _shown(world.a_learner) in client_for(ops_manager).get(OVERDUE).content.decode()


def test_manager_loses_people_of_a_unit_moved_to_a_sibling_branch(world, data_overdue, client_for):
    from agencies.services import unit_update

    assignee = data_overdue.assignees.get(user=world.a_learner)
    unit_update(actor=world.a_admin, unit=world.data, name=world.data.name, parent=world.ops)
    client = client_for(world.a_manager)
    assert _shown(world.a_learner) not in client.get(OVERDUE).content.decode()
    assert client.post(reverse("reminders:nudge", args=[assignee.pk])).status_code == 404
    ops_manager = make_member(world.a, Role.MANAGER, world.ops)
    assert _shown(world.a_learner) in client_for(ops_manager).get(OVERDUE).content.decode()
