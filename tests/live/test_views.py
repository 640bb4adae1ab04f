"""The pages of live sessions: what each person sees, form errors, and agency isolation."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live import services
from live.models import LiveSession, Registration

from .conftest import schedule

pytestmark = pytest.mark.django_db


def form_data(trainer, **overrides):
    starts = timezone.localtime(timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    data = {
        "title": "Office hours",
        "description": "Questions welcome.",
        "format": "online",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "12",
        "location": "",
        "join_url": "https://meet.example.gov/x",
        "host": str(trainer.pk),
        "language": "en",
        "course": "",
        "repeat_dates": "",
    }
    data.update(overrides)
    return data


def test_trainer_schedules_a_session_from_the_studio(world, client_for):
    client = client_for(world.a_trainer)
    assert client.get(reverse("live_studio:create")).status_code == 200
    response = client.post(reverse("live_studio:create"), form_data(world.a_trainer))
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("live:detail", args=[session.pk])
    assert session.agency_id == world.a.pk and session.capacity == 12


def test_times_are_read_and_shown_in_the_agency_time_zone(world, client_for):
    world.a.time_zone = "Europe/Paris"
    world.a.save(update_fields=["time_zone"])
    client = client_for(world.a_trainer)
    client.post(
        reverse("live_studio:create"),
        form_data(world.a_trainer, starts_at="2031-01-15T14:00", ends_at="2031-01-15T15:00"),
    )
    session = LiveSession.objects.get()
    assert session.starts_at.isoformat() == "2031-01-15T13:00:00+00:00"  # 14:00 in Paris
    page = client.get(reverse("live:detail", args=[session.pk])).content.decode()
    assert "14:00" in page and "Europe/Paris" in page


def test_bad_input_shows_errors_and_keeps_what_was_typed(world, client_for):
    client = client_for(world.a_trainer)
    data = form_data(world.a_trainer, format="hybrid", location="", title="Kept title")
    data["ends_at"] = data["starts_at"]
    response = client.post(reverse("live_studio:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The session must end after it starts." in page
    assert "An in-person or hybrid session needs a location." in page
    assert 'value="Kept title"' in page
    assert not LiveSession.objects.exists()


def test_a_series_from_the_form_makes_a_session_per_date(world, client_for):
    client = client_for(world.a_trainer)
    data = form_data(world.a_trainer)
    day = timezone.now().date()
    data["repeat_dates"] = f"{day + timedelta(days=12)}\n{day + timedelta(days=19)}"
    client.post(reverse("live_studio:create"), data)
    assert LiveSession.objects.count() == 3
    response = client.post(reverse("live_studio:create"), {**data, "repeat_dates": "next tuesday"})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()


def test_learner_cannot_open_the_studio_pages(world, client_for, session):
    client = client_for(world.a_learner)
    assert client.get(reverse("live_studio:list")).status_code == 404
    assert client.get(reverse("live_studio:create")).status_code == 404
    assert client.get(reverse("live_studio:edit", args=[session.pk])).status_code == 404
    assert client.get(reverse("live_studio:roster", args=[session.pk])).status_code == 404


def test_other_agency_gets_404_everywhere(world, client_for, session):
    registration = services.registration_create(actor=world.a_learner, session=session)
    client = client_for(world.b_admin)
    assert client.get(reverse("live:detail", args=[session.pk])).status_code == 404
    assert client.post(reverse("live:register", args=[session.pk])).status_code == 404
    assert client.post(reverse("live:cancel", args=[registration.pk])).status_code == 404
    assert client.get(reverse("live_studio:edit", args=[session.pk])).status_code == 404
    assert client.get(reverse("live_studio:roster", args=[session.pk])).status_code == 404
    assert session.title not in client.get(reverse("live:upcoming")).content.decode()
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_learner_registers_with_accommodations_and_cancels(world, client_for, session):
    client = client_for(world.a_learner)
    page = client.get(reverse("live:upcoming")).content.decode()
    assert session.title in page
    response = client.post(
        reverse("live:register", args=[session.pk]),
        {"accommodations": ["captioning"], "accommodation_other": "Front row"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.accommodations == ["captioning"]
    assert registration.accommodation_other == "Front row"
    client.post(reverse("live:cancel", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_join_link_only_for_registrants_and_only_shortly_before(world, client_for, session):
    services.registration_create(actor=world.a_learner, session=session)
    url = reverse("live:detail", args=[session.pk])
    learner = client_for(world.a_learner)
    page = learner.get(url).content.decode()
    assert "Your place" in page and session.join_url not in page
    with time_machine.travel(session.starts_at - timedelta(minutes=10)):
        learner = Client()
        learner.force_login(world.a_learner)
        assert session.join_url in learner.get(url).content.decode()
        other = Client()
        other.force_login(world.a_ops_learner)
        page = other.get(url).content.decode()
        assert "Your place" in page and session.join_url not in page


def test_manager_registers_someone_of_their_unit(world, client_for, session):
    client = client_for(world.a_manager)
    page = client.get(reverse("live:detail", args=[session.pk])).content.decode()
    assert "learner@a.gov" in page and "ops@a.gov" not in page  # Ops is outside Digital
    client.post(reverse("live:register_person", args=[session.pk]), {"person": world.a_learner.pk})
    assert Registration.objects.get().user == world.a_learner
    response = client.post(
        reverse("live:register_person", args=[session.pk]), {"person": world.a_ops_learner.pk}
    )
    assert response.status_code == 400
    assert Registration.objects.count() == 1


def test_host_marks_attendance_on_the_roster(world, client_for, session):
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    url = reverse("live_studio:roster", args=[session.pk])
    with time_machine.travel(session.starts_at + timedelta(minutes=5)):
        client = Client()
        client.force_login(world.a_trainer)
        page = client.get(url).content.decode()
        assert session.checkin_code in page
        response = client.post(url, {"attended": [world.a_learner.pk]})
    assert response.status_code == 302
    assert dict(Registration.objects.values_list("user__email", "status")) == {
        "learner@a.gov": "attended",
        "ops@a.gov": "registered",
    }


def test_upcoming_filters_by_format_and_language(world, client_for):
    schedule(world.a_trainer, title="Online EN")
    schedule(
        world.a_trainer,
        title="Salle FR",
        format="in_person",
        join_url="",
        location="Salle 2",
        language="fr",
    )
    client = client_for(world.a_learner)
    page = client.get(reverse("live:upcoming"), {"format": "in_person"}).content.decode()
    assert "Salle FR" in page and "Online EN" not in page
    page = client.get(reverse("live:upcoming"), {"language": "en"}).content.decode()
    assert "Online EN" in page and "Salle FR" not in page


def test_upcoming_page_queries_do_not_grow_with_sessions(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.a_learner)
    client.get(reverse("live:upcoming"))  # warm the session and placement caches
    for i in range(5):
        session = schedule(world.a_trainer, title=f"S{i}")
        services.registration_create(actor=world.a_learner, session=session)
    # The topic filter's choices, the sessions, their topics, my places: 4 + the savepoint-free
    # session read of the warm cache.
    with django_assert_num_queries(5):
        client.get(reverse("live:upcoming"))
    for i in range(5):
        schedule(world.a_trainer, title=f"T{i}")
    with django_assert_num_queries(5):
        client.get(reverse("live:upcoming"))


def test_page_in_french(world, client_for, session):
    client = client_for(world.a_learner)
    page = client.get(reverse("live:upcoming"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Sessions en direct" in page


def test_my_learning_and_the_catalog_show_upcoming_sessions(world, client_for, session):
    client = client_for(world.a_learner)
    catalog = client.get(reverse("courses:catalog")).content.decode()
    assert session.title in catalog
    services.registration_create(actor=world.a_learner, session=session)
    page = client.get(reverse("learning:my_learning")).content.decode()
    assert "Your upcoming live sessions" in page and session.title in page
    other = client_for(world.b_learner)
    assert session.title not in other.get(reverse("courses:catalog")).content.decode()
    assert session.title not in other.get(reverse("learning:my_learning")).content.decode()
