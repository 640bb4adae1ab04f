"""iCalendar (RFC 5545) invites and feeds for live sessions, with iTIP methods (RFC 5546).

Each person's place at a session is one calendar event whose UID is stable (the registration's
uid), whose SEQUENCE rises on every change, sent with METHOD:REQUEST (ORGANIZER: the host,
ATTENDEE: the person) while they hold a seat and METHOD:CANCEL when the place is cancelled.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Registration, RegistrationStatus

PRODID = "-//Academy//Live sessions//EN"


def event_uid(registration: Registration) -> str:
    return f"{registration.uid}@{urlsplit(settings.SITE_URL).hostname or 'academy'}"


def session_url(session) -> str:
    return settings.SITE_URL + reverse("live:detail", args=[session.pk])


def _address(user, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.full_name or user.email)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _event(registration: Registration, *, cancelled: bool) -> Event:
    session = registration.session
    event = Event()
    event.add("uid", event_uid(registration))
    event.add("sequence", registration.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    # The join link stays on the session page, which shows it to registrants shortly before
    # the start (LIVE_JOIN_OPENS_MINUTES); the calendar links to that page.
    if session.location:
        event.add("location", session.location)
    event.add("description", f"{session.description}\n\n{session_url(session)}".strip())
    event.add("url", session_url(session))
    event.add("status", "CANCELLED" if cancelled or session.is_cancelled else "CONFIRMED")
    event.add("organizer", _address(session.host))
    event.add(
        "attendee",
        _address(
            registration.user,
            role="REQ-PARTICIPANT",
            partstat="DECLINED" if cancelled else "ACCEPTED",
            rsvp="FALSE",
        ),
    )
    return event


def invite(registration: Registration, *, method: str) -> bytes:
    """One person's invite (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_event(registration, cancelled=method == "CANCEL"))
    return calendar.to_ical()


def feed(registrations) -> bytes:
    """A person's calendar feed: every session they hold a seat at or wait for (a feed is
    published, so it carries no METHOD)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Academy")
    for registration in registrations:
        calendar.add_component(
            _event(registration, cancelled=registration.status == RegistrationStatus.CANCELLED)
        )
    return calendar.to_ical()
