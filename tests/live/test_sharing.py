"""A session open to every agency once a platform admin approves, as courses are shared."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies.models import AuditEvent
from live import services
from live.models import AttendanceCount, Registration, Sharing
from live.services.aggregates import expected_cells

from .conftest import schedule


@pytest.fixture
def asked(world, session):
    return services.session_sharing_set(actor=world.a_trainer, session=session, every_agency=True)


@pytest.fixture
def shared(world, asked):
    return services.session_sharing_decide(actor=world.platform_admin, session=asked, approve=True)


def test_a_request_keeps_the_session_in_its_agency_until_approved(world, client_for, asked):
    assert asked.sharing == Sharing.REQUESTED
    client = client_for(world.b_learner)
    assert client.get(reverse("live:detail", args=[asked.pk])).status_code == 404
    assert asked.title not in client.get(reverse("live:upcoming")).content.decode()
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=world.b_learner, session=asked)
    assert AuditEvent.objects.filter(action="live.sharing_request").count() == 1


def test_an_approved_session_is_open_to_people_of_every_agency(world, client_for, shared):
    client = client_for(world.b_learner)
    assert shared.title in client.get(reverse("live:upcoming")).content.decode()
    assert client.get(reverse("live:detail", args=[shared.pk])).status_code == 200
    response = client.post(reverse("live:register", args=[shared.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(user=world.b_learner)
    assert registration.status == "registered"
    # B's people count for B: its own cell, with its own unit; A's figures do not include them.
    cell = AttendanceCount.objects.get(session=shared)
    assert (cell.agency_id, cell.unit_id, cell.seated) == (world.b.pk, world.branch.pk, 1)
    assert expected_cells(world.a.pk) == {}
    assert list(expected_cells(world.b.pk).values()) == [{"seated": 1, "attended": 0}]


def test_the_roster_shows_each_persons_agency_to_the_host(world, client_for, shared):
    services.registration_create(actor=world.a_learner, session=shared)
    services.registration_create(actor=world.b_learner, session=shared)
    page = client_for(world.a_trainer).get(reverse("live_studio:roster", args=[shared.pk]))
    text = page.content.decode()
    assert "(Agency A)" in text and "(Agency B)" in text


def test_another_agency_still_cannot_change_a_shared_session(world, client_for, shared):
    registration = services.registration_create(actor=world.a_learner, session=shared)
    client = client_for(world.b_admin)
    assert client.get(reverse("live_studio:edit", args=[shared.pk])).status_code == 404
    assert client.get(reverse("live_studio:roster", args=[shared.pk])).status_code == 404
    assert client.post(reverse("live:cancel", args=[registration.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.session_sharing_set(actor=world.b_admin, session=shared, every_agency=False)


def test_a_manager_of_another_agency_registers_their_own_people(world, shared):
    services.registration_create(actor=world.b_manager, session=shared, user=world.b_learner)
    assert Registration.objects.get(user=world.b_learner).registered_by == world.b_manager
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=world.b_manager, session=shared, user=world.a_learner)


def test_a_refused_or_withdrawn_session_stays_in_its_agency(world, client_for, asked):
    refused = services.session_sharing_decide(
        actor=world.platform_admin, session=asked, approve=False
    )
    assert refused.sharing == Sharing.REJECTED
    with pytest.raises(ValidationError):
        services.session_sharing_decide(actor=world.platform_admin, session=asked, approve=True)
    assert (
        asked.title
        not in client_for(world.b_learner).get(reverse("live:upcoming")).content.decode()
    )


def test_only_a_platform_admin_decides(world, asked):
    with pytest.raises(PermissionDenied):
        services.session_sharing_decide(actor=world.a_admin, session=asked, approve=True)


def test_taking_it_back_closes_it_to_other_agencies(world, client_for, shared):
    services.session_sharing_set(actor=world.a_trainer, session=shared, every_agency=False)
    client = client_for(world.b_learner)
    assert client.get(reverse("live:detail", args=[shared.pk])).status_code == 404


def test_a_platform_admin_approves_from_the_requests_page(world, client_for, asked):
    client = client_for(world.platform_admin)
    page = client.get(reverse("home")).content.decode()
    assert reverse("live:sharing_requests") in page  # linked from the header
    page = client.get(reverse("live:sharing_requests")).content.decode()
    assert asked.title in page and "Agency A" in page
    response = client.post(reverse("live:sharing_decide", args=[asked.pk]), {"decision": "approve"})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.sharing == Sharing.APPROVED
    page = client.get(reverse("live:sharing_requests")).content.decode()
    assert "is now open to every agency" in page and "No requests are waiting." in page


def test_the_requests_page_is_404_to_everyone_else(world, client_for, asked):
    for user in (world.a_admin, world.a_trainer, world.b_admin):
        client = client_for(user)
        assert client.get(reverse("live:sharing_requests")).status_code == 404
        response = client.post(
            reverse("live:sharing_decide", args=[asked.pk]), {"decision": "approve"}
        )
        assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.sharing == Sharing.REQUESTED


def test_the_requests_page_queries_do_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for(world.platform_admin)
    client.get(reverse("live:sharing_requests"))
    for index in range(6):
        session = schedule(world.a_trainer, title=f"S{index}")
        services.session_sharing_set(actor=world.a_trainer, session=session, every_agency=True)
    with django_assert_max_num_queries(8) as context:
        client.get(reverse("live:sharing_requests"))
    few = len(context.captured_queries)
    for index in range(6):
        session = schedule(world.a_trainer, title=f"T{index}")
        services.session_sharing_set(actor=world.a_trainer, session=session, every_agency=True)
    with django_assert_max_num_queries(few):
        client.get(reverse("live:sharing_requests"))


def test_the_trainer_asks_from_the_session_form(world, client_for, session):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(world.a.time_zone or "UTC")
    client = client_for(world.a_trainer)
    url = reverse("live_studio:edit", args=[session.pk])
    data = {
        "title": session.title,
        "description": session.description,
        "format": "online",
        "starts_at": session.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": session.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 10,
        "join_url": session.join_url,
        "host": world.a_trainer.pk,
        "language": "en",
        "every_agency": "on",
    }
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.sharing == Sharing.REQUESTED
    assert "Waiting for a platform admin" in client.get(url).content.decode()


def test_the_roster_still_names_another_agency_after_sharing_ends(world, client_for, shared):
    services.registration_create(actor=world.a_learner, session=shared)
    services.registration_create(actor=world.b_learner, session=shared)
    services.session_sharing_set(actor=world.a_trainer, session=shared, every_agency=False)
    page = client_for(world.a_trainer).get(reverse("live_studio:roster", args=[shared.pk]))
    text = page.content.decode()
    assert "(Agency B)" in text and "(Agency A)" not in text
