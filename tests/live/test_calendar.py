"""Calendar invites (RFC 5545/5546) in the emails, parsed back, and the private feed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from live import services

from .conftest import schedule

pytestmark = pytest.mark.django_db


def invites(mailoutbox, to):
    """(METHOD, VEVENT) of each calendar part sent to `to`, in order."""
    found = []
    for message in mailoutbox:
        if message.to != [to]:
            continue
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_payload(decode=True))
                assert part.get_param("method") == str(calendar["METHOD"])
                found.append((str(calendar["METHOD"]), calendar.walk("VEVENT")[0]))
    return found


def test_invite_update_and_cancel_share_one_uid_with_rising_sequence(
    world, session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(actor=world.a_learner, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=world.a_trainer,
            session=session,
            starts_at=session.starts_at + timedelta(hours=1),
            ends_at=session.ends_at + timedelta(hours=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=world.a_learner, registration=registration)

    sent = invites(mailoutbox, "learner@a.gov")
    assert [method for method, _event in sent] == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {str(event["UID"]) for _m, event in sent}
    assert uids == {f"{registration.uid}@127.0.0.1"}
    sequences = [int(event["SEQUENCE"]) for _m, event in sent]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    for _method, event in sent:
        assert str(event["ORGANIZER"]) == "mailto:trainer@a.gov"
        assert str(event["ATTENDEE"]) == "mailto:learner@a.gov"
    first, moved = sent[0][1], sent[1][1]
    assert moved["DTSTART"].dt - first["DTSTART"].dt == timedelta(hours=1)
    assert str(sent[2][1]["STATUS"]) == "CANCELLED"
    # The change came with a notice in words, not only a calendar update.
    assert any(m.subject.startswith("Changed:") for m in mailoutbox)


def test_waiting_list_email_carries_no_invite_until_promoted(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    session = schedule(world.a_trainer, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.registration_create(actor=world.a_learner, session=session)
        services.registration_create(actor=world.a_ops_learner, session=session)
    assert invites(mailoutbox, "ops@a.gov") == []
    assert any(m.to == ["ops@a.gov"] and "waiting list" in m.subject for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=world.a_learner, registration=first)
    assert [method for method, _e in invites(mailoutbox, "ops@a.gov")] == ["REQUEST"]


def test_private_feed_needs_no_cookie_and_a_new_address_revokes_the_old(world, session):
    services.registration_create(actor=world.a_learner, session=session)
    feed = services.calendar_feed_reset(user=world.a_learner)
    anonymous = Client()
    response = anonymous.get(reverse("live:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [session.title]
    old = feed.token
    services.calendar_feed_reset(user=world.a_learner)
    assert anonymous.get(reverse("live:feed", args=[old])).status_code == 404
    services.calendar_feed_revoke(user=world.a_learner)
    assert anonymous.get(reverse("live:feed", args=["nothing"])).status_code == 404


def test_calendar_page_makes_and_resets_the_address(world, client_for):
    client = client_for(world.a_learner)
    client.post(reverse("live:calendar"), {"action": "reset"})
    page = client.get(reverse("live:calendar")).content.decode()
    assert "/live/calendar/" in page and ".ics" in page
