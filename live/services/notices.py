"""Emails to registrants, with the calendar invite attached, sent after the commit."""

from email.mime.text import MIMEText

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import calendar
from ..models import Registration

KINDS = ("invite", "promoted", "waitlisted", "cancelled", "changed", "updated")


def send_on_commit(registration_ids, kind: str) -> None:
    """Queue one email per registration once the transaction commits."""
    from ..tasks import registration_notice_task

    assert kind in KINDS, kind
    for registration_id in registration_ids:
        transaction.on_commit(lambda pk=registration_id: registration_notice_task.delay(pk, kind))


NOTICE_CHUNK = 200


def send_many_on_commit(registration_ids, kind: str) -> None:
    """Queue the emails of many registrations once the transaction commits: one task per chunk
    of NOTICE_CHUNK, which queues each person's email task in the worker (the request sends a
    handful of messages to the broker, whatever the number of people)."""
    from ..tasks import registration_notices_task

    assert kind in KINDS, kind
    ids = list(registration_ids)
    for start in range(0, len(ids), NOTICE_CHUNK):
        chunk = ids[start : start + NOTICE_CHUNK]
        transaction.on_commit(lambda chunk=chunk: registration_notices_task.delay(chunk, kind))


def _subject(kind: str, title: str) -> str:
    return {
        "invite": _("You are registered: %(title)s"),
        "promoted": _("A seat is yours: %(title)s"),
        "waitlisted": _("You are on the waiting list: %(title)s"),
        "cancelled": _("Registration cancelled: %(title)s"),
        "changed": _("Changed: %(title)s"),
        "updated": _("Updated: %(title)s"),
    }[kind] % {"title": title}


def notice_send(*, registration_id: int, kind: str) -> bool:
    """Send one registrant's email of `kind`; an invite, a promotion or a change carries the
    calendar event (METHOD:REQUEST), a cancellation its METHOD:CANCEL. Returns False (and
    sends nothing) when the registration no longer calls for it."""
    registration = (
        Registration.objects.select_related(
            "session__host", "session__agency", "user__membership__agency"
        )
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return False
    session = registration.session
    waiting = registration.status == "waitlisted"
    if kind in ("invite", "promoted", "changed", "updated") and not registration.holds_seat:
        if not (waiting and kind in ("changed", "updated")):
            return False
    # The person's agency: a session shared with every agency writes to each in its own.
    membership = getattr(registration.user, "membership", None)
    agency = membership.agency if membership is not None else session.agency
    language = agency.default_language or "en"
    with translation.override(language), timezone.override(agency.time_zone or "UTC"):
        context = {
            "registration": registration,
            "session": session,
            "kind": kind,
            "url": calendar.session_url(session),
            "time_zone": agency.time_zone or "UTC",
        }
        subject = _subject(kind, session.title)
        body = render_to_string("live/email/notice.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[registration.user.email])
    method = None
    if kind == "cancelled":
        method = "CANCEL"
    elif registration.holds_seat:
        method = "REQUEST"
    if method:
        part = MIMEText(calendar.invite(registration, method=method).decode(), "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
    message.send()
    return True
