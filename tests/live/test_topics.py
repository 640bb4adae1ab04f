"""Sessions carry the catalog's topics, and the live sessions list filters by topic."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from courses.models import Topic
from live import services

from .conftest import schedule


@pytest.fixture
def topics(db):
    return (
        Topic.objects.create(slug="prompting", name="Prompting"),
        Topic.objects.create(slug="privacy", name="Privacy"),
        Topic.objects.create(slug="security", name="Security"),
    )


def test_a_session_is_scheduled_and_edited_with_topics(world, topics):
    prompting, privacy, _security = topics
    session = schedule(world.a_trainer, topics=[prompting])
    assert list(session.topics.all()) == [prompting]
    services.session_update(actor=world.a_trainer, session=session, topics=[privacy])
    assert list(session.topics.all()) == [privacy]
    services.session_update(actor=world.a_trainer, session=session, title="Renamed")
    assert list(session.topics.all()) == [privacy]  # no topics given: kept


def test_every_date_of_a_series_gets_the_topics(world, topics):
    from datetime import timedelta

    from django.utils import timezone

    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    sessions = services.series_create(
        actor=world.a_trainer,
        dates=[(starts + timedelta(days=7)).date()],
        topics=[topics[0]],
        title="Weekly",
        description="",
        format="online",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=5,
        location="",
        join_url="https://meet.example.gov/w",
        host=world.a_trainer,
        language="en",
        course=None,
    )
    assert [list(s.topics.all()) for s in sessions] == [[topics[0]], [topics[0]]]


def test_the_list_filters_by_topic_and_offers_only_topics_in_use(world, client_for, topics):
    prompting, privacy, security = topics
    schedule(world.a_trainer, title="Prompt clinic", topics=[prompting])
    schedule(world.a_trainer, title="Privacy hour", topics=[privacy])
    client = client_for(world.a_learner)
    page = client.get(reverse("live:upcoming")).content.decode()
    assert 'value="prompting"' in page and 'value="privacy"' in page
    assert 'value="security"' not in page  # no session has it: it would find nothing
    page = client.get(reverse("live:upcoming"), {"topic": "privacy"}).content.decode()
    assert "Privacy hour" in page and "Prompt clinic" not in page


def test_topics_combine_with_the_other_filters(world, client_for, topics):
    schedule(world.a_trainer, title="Online prompting", topics=[topics[0]])
    schedule(
        world.a_trainer,
        title="Salle prompting",
        topics=[topics[0]],
        format="in_person",
        join_url="",
        location="Salle 2",
    )
    client = client_for(world.a_learner)
    page = client.get(
        reverse("live:upcoming"), {"topic": "prompting", "format": "in_person"}
    ).content.decode()
    assert "Salle prompting" in page and "Online prompting" not in page


def test_another_agency_sees_neither_the_session_nor_its_topic(world, client_for, topics):
    schedule(world.a_trainer, title="Agency A only", topics=[topics[1]])
    client = client_for(world.b_learner)
    page = client.get(reverse("live:upcoming"), {"topic": "privacy"}).content.decode()
    assert "Agency A only" not in page
    assert 'value="privacy"' not in page


def test_the_trainer_picks_topics_on_the_form(world, client_for, topics):
    session = schedule(world.a_trainer)
    client = client_for(world.a_trainer)
    url = reverse("live_studio:edit", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Topics" in page and "Security" in page
    zone = ZoneInfo(world.a.time_zone or "UTC")
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
        "topics": [topics[2].pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(session.topics.all()) == [topics[2]]


def test_topic_names_are_translated_in_the_filter(world, client_for, topics):
    schedule(world.a_trainer, topics=[topics[1]])
    client = client_for(world.a_learner)
    page = client.get(reverse("live:upcoming"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tous les thèmes" in page and "Protection de la vie privée" in page
