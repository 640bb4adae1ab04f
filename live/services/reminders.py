"""Reminders 24 hours and 1 hour before a session, through reminders' exactly-once log.

Live decides who is owed which reminder (`session_reminders_record`, run by a beat task every
minute) and writes it with `reminders.services.reminders_record`: one ReminderLog row per
person, session, kind and start time, under a unique key, so a second or concurrent run adds
nothing. Reminders' sender sends the rows and asks `session_reminders_prepare` (registered in
`reminders.registries.reminder_sources`) for each message, in the person's agency language and
time zone, and skips those that became moot (no seat any more, session cancelled or moved,
already started).
"""

from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Membership
from reminders.models import Kind
from reminders.registries import ReminderMessage
from reminders.services import ReminderDraft, reminders_record

from .. import calendar
from ..models import LiveSession, Registration, RegistrationStatus

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
KINDS = (Kind.SESSION_DAY, Kind.SESSION_HOUR)


def start_minute(session_starts_at) -> int:
    """The start, in minutes since the epoch: part of the reminder's key, so a session moved
    to another time owes its reminders again (and the old ones become moot)."""
    return int(session_starts_at.timestamp() // 60)


def kind_due(starts_at, now) -> str | None:
    """The latest reminder whose moment has come for a session starting at `starts_at`: within
    the hour, the 1-hour one (a late look sends one reminder, never both); within a day, the
    24-hour one; else none."""
    if starts_at <= now:
        return None
    if starts_at - now <= HOUR:
        return Kind.SESSION_HOUR
    if starts_at - now <= DAY:
        return Kind.SESSION_DAY
    return None


def session_reminders_record(*, now=None) -> list[int]:
    """Record the reminders owed now to every person holding a seat at a session starting in
    the next 24 hours, once per person, session, kind and start time; the rows written are
    sent after commit. Returns their ids. Safe to run twice or concurrently."""
    now = now or timezone.now()
    seats = list(
        Registration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            session__is_cancelled=False,
            session__starts_at__gt=now,
            session__starts_at__lte=now + DAY,
        ).values("user_id", "session_id", "session__agency_id", "session__starts_at")
    )
    if not seats:
        return []
    agencies = dict(
        Membership.objects.filter(user_id__in={s["user_id"] for s in seats}).values_list(
            "user_id", "agency_id"
        )
    )
    drafts = [
        ReminderDraft(
            kind=kind_due(seat["session__starts_at"], now),
            # The person's agency: their language, their time zone, their figures.
            agency_id=agencies.get(seat["user_id"], seat["session__agency_id"]),
            recipient_id=seat["user_id"],
            object_id=seat["session_id"],
            period=start_minute(seat["session__starts_at"]),
        )
        for seat in seats
    ]
    return reminders_record(drafts=drafts)


def _moot(log, session, seated: set, now) -> str:
    if session is None:
        return "session deleted"
    if session.is_cancelled:
        return "session cancelled"
    if log.period != start_minute(session.starts_at):
        return "session moved"
    if (session.pk, log.recipient_id) not in seated:
        return "no seat any more"
    if session.starts_at <= now:
        return "session started"
    if log.kind == Kind.SESSION_DAY and session.starts_at - now <= HOUR:
        return "the 1-hour reminder replaces it"
    return ""


def _message(log, session, now) -> ReminderMessage:
    agency = log.agency
    zone = agency.time_zone or "UTC"
    opens = session.starts_at - timedelta(minutes=settings.LIVE_JOIN_OPENS_MINUTES)
    with translation.override(agency.default_language or "en"), timezone.override(zone):
        context = {
            "session": session,
            "kind": log.kind,
            "recipient": log.recipient,
            "url": calendar.session_url(session),
            "time_zone": zone,
            # The join link only once it opens (as on the session page); before, the page.
            "join_url": session.join_url if session.is_online and opens <= now else "",
            "join_opens_at": opens,
        }
        if log.kind == Kind.SESSION_HOUR:
            subject = _("In 1 hour: %(title)s") % {"title": session.title}
        else:
            subject = _("Tomorrow: %(title)s") % {"title": session.title}
        text = render_to_string("live/email/reminder.txt", context)
    return ReminderMessage(subject=subject, text=text, url=context["url"])


def session_reminders_prepare(logs, now) -> dict:
    """For reminders' sender: per log id, the reminder's message or why it is moot. Two
    queries whatever the number of logs."""
    session_ids = {log.object_id for log in logs}
    sessions = LiveSession.objects.select_related("host").in_bulk(session_ids)
    seated = set(
        Registration.objects.filter(
            session_id__in=session_ids,
            user_id__in={log.recipient_id for log in logs},
            status=RegistrationStatus.REGISTERED,
        ).values_list("session_id", "user_id")
    )
    prepared = {}
    for log in logs:
        session = sessions.get(log.object_id)
        reason = _moot(log, session, seated, now)
        prepared[log.pk] = reason or _message(log, session, now)
    return prepared
