"""Assigning a session like a course (issue 16): a manager or agency admin assigns a session to
their agency, a unit subtree or people; the people are registered (or waitlisted) through the
registration service, see it as assigned on My learning, and the assigner lists and withdraws
it. Agency isolation both ways."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from live import services
from live.models import Registration, SessionAssignee, SessionAssignment
from live.selectors_assign import assigned_sessions

from .conftest import schedule


def _statuses(session):
    return dict(Registration.objects.filter(session=session).values_list("user__email", "status"))


def test_manager_assigns_their_unit_subtree_and_people_are_registered(
    world, session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=world.digital
        )
    assert (result["registered"], result["waitlisted"], result["outside_audience"]) == (3, 0, 0)
    assert _statuses(session) == {
        "manager@a.gov": "registered",
        "trainer@a.gov": "registered",
        "learner@a.gov": "registered",
    }
    assert set(SessionAssignee.objects.values_list("user__email", flat=True)) == {
        "manager@a.gov",
        "trainer@a.gov",
        "learner@a.gov",
    }
    # the same invitation as registering oneself
    assert sorted(m.to[0] for m in mailoutbox) == [
        "learner@a.gov",
        "manager@a.gov",
        "trainer@a.gov",
    ]


def test_full_session_waitlists_the_rest_in_order(world):
    session = schedule(world.a_trainer, capacity=1)
    result = services.session_assign(
        actor=world.a_admin,
        session=session,
        target="people",
        people=[world.a_learner, world.a_ops_learner],
    )
    assert (result["registered"], result["waitlisted"]) == (1, 1)
    positions = list(
        Registration.objects.filter(session=session, status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == [1]


def test_people_outside_the_audience_are_left_out_and_counted(world):
    session = schedule(world.a_trainer, units=[world.ops])
    result = services.session_assign(actor=world.a_admin, session=session, target="agency")
    assert result["registered"] == 1  # only ops@a.gov is in the Ops audience
    assert result["outside_audience"] == 4  # admin (no unit), manager, trainer, learner
    assert list(
        Registration.objects.filter(session=session).values_list("user__email", flat=True)
    ) == ["ops@a.gov"]


def test_nobody_in_the_audience_is_refused_and_writes_nothing(world):
    session = schedule(world.a_trainer, units=[world.ops])
    with pytest.raises(ValidationError):
        services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=world.digital
        )
    assert not SessionAssignment.objects.exists() and not Registration.objects.exists()


def test_scope_is_enforced(world, session):
    with pytest.raises(ValidationError, match="Only agency admins"):
        services.session_assign(actor=world.a_manager, session=session, target="agency")
    with pytest.raises(ValidationError, match="unit that you manage"):
        services.session_assign(
            actor=world.a_manager, session=session, target="unit", unit=world.ops
        )
    with pytest.raises(ValidationError, match="people that you manage"):
        services.session_assign(
            actor=world.a_manager, session=session, target="people", people=[world.a_ops_learner]
        )
    with pytest.raises(PermissionDenied):
        services.session_assign(
            actor=world.a_learner, session=session, target="people", people=[world.a_learner]
        )
    assert not SessionAssignment.objects.exists() and not Registration.objects.exists()


def test_manager_of_another_agency_cannot_assign_or_see_the_session(world, session, client_for):
    with pytest.raises(PermissionDenied):
        services.session_assign(
            actor=world.b_manager, session=session, target="unit", unit=world.branch
        )
    client = client_for(world.b_manager)
    url = reverse("live:assign", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"target": "unit", "unit": world.branch.pk}).status_code == 404
    assert not Registration.objects.exists()


def test_other_agency_sees_nothing_of_an_assignment_and_cannot_withdraw_it(
    world, session, client_for
):
    result = services.session_assign(
        actor=world.a_manager, session=session, target="people", people=[world.a_learner]
    )
    assignment = result["assignment"]
    delete = reverse("live:assignment_delete", args=[session.pk, assignment.pk])
    for user in (world.b_manager, world.b_admin):
        assert client_for(user).post(delete).status_code == 404
    with pytest.raises(PermissionDenied):
        services.session_assignment_delete(actor=world.b_admin, assignment=assignment)
    # B's learner's My learning shows nothing of it
    page = client_for(world.b_learner).get(reverse("learning:my_learning")).content.decode()
    assert session.title not in page
    assert SessionAssignment.objects.filter(pk=assignment.pk).exists()


def test_another_manager_of_the_same_agency_does_not_list_it_but_the_admin_does(
    world, session, client_for
):
    from agencies.models import Role
    from tests.builders import make_member

    other = make_member(world.a, Role.MANAGER, world.ops, email="ops-manager@a.gov")
    services.session_assign(
        actor=world.a_manager, session=session, target="people", people=[world.a_learner]
    )
    url = reverse("live:assign", args=[session.pk])
    assert "learner@a.gov" not in client_for(other).get(url).content.decode()
    assert "You have not assigned this session yet." in client_for(other).get(url).content.decode()
    assert "manager@a.gov" in client_for(world.a_admin).get(url).content.decode()


def test_assign_page_by_links_and_forms_then_withdraw(world, session, client_for):
    client = client_for(world.a_manager)
    detail = client.get(reverse("live:detail", args=[session.pk])).content.decode()
    url = reverse("live:assign", args=[session.pk])
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    assert 'value="agency"' not in page  # managers cannot target the whole agency
    response = client.post(url, {"target": "people", "people": "learner@a.gov"})
    assert response.status_code == 302
    assert _statuses(session) == {"learner@a.gov": "registered"}
    assignment = SessionAssignment.objects.get()
    page = client.get(url).content.decode()
    assert "1 registered" in page or "Session assigned" in page
    client.post(reverse("live:assignment_delete", args=[session.pk, assignment.pk]))
    assert not SessionAssignment.objects.exists()
    assert _statuses(session) == {"learner@a.gov": "registered"}  # the place stays


def test_bad_input_shows_a_clear_message_and_changes_nothing(world, session, client_for):
    client = client_for(world.a_manager)
    url = reverse("live:assign", args=[session.pk])
    response = client.post(url, {"target": "people", "people": "nobody@nowhere.gov"})
    assert response.status_code == 400
    assert "nobody@nowhere.gov" in response.content.decode()
    response = client.post(url, {"target": "unit", "unit": world.ops.pk})
    assert response.status_code == 400
    assert not SessionAssignment.objects.exists() and not Registration.objects.exists()


def test_learner_sees_the_assigned_session_with_its_due_date_on_my_learning(
    world, session, client_for
):
    services.session_assign(
        actor=world.a_manager, session=session, target="people", people=[world.a_learner]
    )
    page = client_for(world.a_learner).get(reverse("learning:my_learning")).content.decode()
    assert "Live sessions assigned to you" in page
    assert session.title in page and "Registered" in page
    assert [s.pk for s in assigned_sessions(world.a_learner)] == [session.pk]
    # someone not assigned sees no such section
    page = client_for(world.a_ops_learner).get(reverse("learning:my_learning")).content.decode()
    assert "Live sessions assigned to you" not in page


def test_my_learning_section_is_one_query_and_lists_what_the_selectors_list(
    world, django_assert_num_queries
):
    """The section's one statement gives the assigned sessions `assigned_sessions` gives and the
    places `my_sessions` gives, in their order, whatever the number; cancelled, past and other
    people's sessions are left out."""
    from live.selectors import my_sessions
    from live.selectors_assign import my_learning_section

    learner = world.a_learner
    assigned = []
    for days in (5, 3, 4):
        session = schedule(world.a_trainer, days=days, title=f"Assigned in {days} days")
        services.session_assign(
            actor=world.a_admin, session=session, target="people", people=[learner]
        )
        assigned.append(session)
    full = schedule(world.a_trainer, days=6, capacity=1, title="Full")
    services.registration_create(actor=world.a_manager, session=full)
    waiting = services.registration_create(actor=learner, session=full)
    held = schedule(world.a_trainer, days=2, title="Registered, not assigned")
    services.registration_create(actor=learner, session=held)
    dropped = schedule(world.a_trainer, days=1, title="Registered then cancelled")
    services.registration_cancel(
        actor=learner, registration=services.registration_create(actor=learner, session=dropped)
    )
    others = schedule(world.a_trainer, days=1, title="Someone else's")
    services.session_assign(
        actor=world.a_admin, session=others, target="people", people=[world.a_ops_learner]
    )
    called_off = schedule(world.a_trainer, days=2, title="Called off")
    services.session_assign(
        actor=world.a_admin, session=called_off, target="people", people=[learner]
    )
    type(called_off).objects.filter(pk=called_off.pk).update(is_cancelled=True)

    my_learning_section(learner)  # warm the actor cache
    with django_assert_num_queries(1):
        section = my_learning_section(learner)
    expected = list(assigned_sessions(learner))
    assert [r["pk"] for r in section["assigned"]] == [s.pk for s in expected]
    assert [r["pk"] for r in section["assigned"]] == [
        assigned[1].pk,
        assigned[2].pk,
        assigned[0].pk,
    ]
    assert [(r["my_status"], r["my_position"]) for r in section["assigned"]] == [
        (s.my_status, s.my_position) for s in expected
    ]
    places = list(my_sessions(learner))
    assert [r["pk"] for r in section["mine"]] == [p.session_id for p in places]
    assert [(r["my_status"], r["my_position"]) for r in section["mine"]] == [
        (p.status, p.waitlist_position) for p in places
    ]
    assert waiting.status == "waitlisted" and section["mine"][-1]["my_position"] == 1
    assert {r["title"] for r in section["mine"]} >= {"Full", "Registered, not assigned"}
    assert section["zone"] == world.a.time_zone
    # another agency's learner: nothing of agency A
    assert my_learning_section(world.b_learner) == {
        "zone": world.b.time_zone,
        "assigned": [],
        "mine": [],
    }
