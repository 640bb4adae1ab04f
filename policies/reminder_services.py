"""Reminder emails for the AI policy, exactly once, beside (not inside) the reminders app.

Why not a reminders `Assignment`: an assignment points at a course or a path and materialises
enrollments through learning; a policy has no enrollment, and reminders' models are being
changed by others, so the policy keeps its own terms (AgencyPolicy.due_days, .yearly) and its
own log, built the way reminders builds its ReminderLog (docs/policies.md):

1. `policy_reminders_scan` decides, per agency, who is owed which reminder today (one query
   per agency for the people, one bulk insert) and writes a `PolicyReminder` row under a unique
   key (person, version, kind, cycle) before any email leaves; a second scan inserts nothing.
2. `policy_reminders_send` claims pending rows (pending -> sending, committed) before handing
   them to the mail backend, then marks them sent; only pending rows are ever claimed, so a
   retried task or a second worker never sends a row twice. Rows left `sending` by a killed
   worker go back to pending after POLICY_REMINDER_STALE (the email keeps its Message-ID).
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.dates import agency_date
from agencies.models import Membership

from .models import Acknowledgement, PolicyReminder, PolicyVersion, ReminderKind, ReminderStatus
from .terms import open_request

BEFORE_DUE = datetime.timedelta(days=3)
POLICY_REMINDER_STALE = datetime.timedelta(minutes=15)


def _kind_due(request, now) -> str | None:
    """Which reminder is owed at `now` for an open request: overdue from the day after the
    due moment, "due soon" in the three days before it, nothing earlier."""
    if now >= request.due_at + datetime.timedelta(days=1):
        return ReminderKind.OVERDUE
    if now >= request.due_at - BEFORE_DUE:
        return ReminderKind.BEFORE_DUE
    return None


def _current_versions():
    """The latest version of every agency that has one (one query)."""
    latest = {}
    for version in PolicyVersion.objects.select_related("policy", "agency").order_by(
        "agency_id", "-number"
    ):
        latest.setdefault(version.agency_id, version)
    return list(latest.values())


def policy_reminders_scan(*, now=None) -> list[int]:
    """Write the reminders owed now (at most one per person, version, kind and cycle) and
    return the ids of every pending row, for the sending task. Safe to run any number of
    times: the unique constraint turns a repeated decision into nothing."""
    now = now or timezone.now()
    PolicyReminder.objects.filter(
        status=ReminderStatus.SENDING, claimed_at__lt=now - POLICY_REMINDER_STALE
    ).update(status=ReminderStatus.PENDING)
    for version in _current_versions():
        rows = []
        zone = version.agency.time_zone
        people = Membership.objects.filter(agency_id=version.agency_id, is_active=True).values(
            "user_id", "joined_at"
        )
        last = dict(
            Acknowledgement.objects.filter(version=version)
            .order_by("user_id", "acknowledged_at")
            .values_list("user_id", "acknowledged_at")
        )  # ordered by time, so each person's latest wins
        for person in people.iterator(chunk_size=2000):
            request = open_request(
                yearly=version.policy.yearly,
                due_days=version.policy.due_days,
                published_at=version.published_at,
                joined_at=person["joined_at"],
                last_ack_at=last.get(person["user_id"]),
                now=now,
            )
            kind = request and _kind_due(request, now)
            if kind:
                rows.append(
                    PolicyReminder(
                        version=version,
                        agency_id=version.agency_id,
                        user_id=person["user_id"],
                        kind=kind,
                        cycle=agency_date(zone, request.opened_at),
                        due_on=agency_date(zone, request.due_at),
                    )
                )
        PolicyReminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return list(
        PolicyReminder.objects.filter(status=ReminderStatus.PENDING).values_list("pk", flat=True)
    )


def _claim(ids, now) -> list[int]:
    with transaction.atomic():
        claimed = list(
            PolicyReminder.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=ReminderStatus.PENDING)
            .values_list("pk", flat=True)
        )
        PolicyReminder.objects.filter(pk__in=claimed).update(
            status=ReminderStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed


def _message(reminder) -> EmailMessage:
    user = reminder.user
    language = reminder.agency.default_language or settings.LANGUAGE_CODE
    with translation.override(language):
        link = settings.SITE_URL.rstrip("/") + reverse("policies:read")
        if reminder.kind == ReminderKind.OVERDUE:
            subject = _("Overdue: acknowledge your agency's AI policy")
        else:
            subject = _("Reminder: acknowledge your agency's AI policy")
        body = _(
            "Hello %(name)s,\n\nPlease read and acknowledge %(title)s (version %(number)s) "
            "by %(due)s:\n%(link)s\n"
        ) % {
            "name": user.display_name,
            "title": reminder.version.title,
            "number": reminder.version.number,
            "due": reminder.due_on.isoformat(),
            "link": link,
        }
    return EmailMessage(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": f"<policy-reminder-{reminder.pk}@academy>"},
    )


def policy_reminders_send(*, ids, now=None) -> int:
    """Send the pending reminders among `ids` that this call claims; returns how many were
    sent. A reminder whose person acknowledged after it was decided is skipped (no email)."""
    now = now or timezone.now()
    claimed = _claim(list(ids), now)
    if not claimed:
        return 0
    sent = 0
    reminders = PolicyReminder.objects.filter(pk__in=claimed).select_related(
        "user", "version", "agency"
    )
    reminders = list(reminders)
    answered = set(
        Acknowledgement.objects.filter(
            version_id__in={r.version_id for r in reminders},
            user_id__in={r.user_id for r in reminders},
            acknowledged_at__gte=min(r.created_at for r in reminders),
        ).values_list("version_id", "user_id", "acknowledged_at")
    )
    moot = {
        r.pk
        for r in reminders
        for version_id, user_id, at in answered
        if (version_id, user_id) == (r.version_id, r.user_id) and at >= r.created_at
    }
    PolicyReminder.objects.filter(pk__in=moot).update(status=ReminderStatus.SKIPPED)
    connection = get_connection()
    for reminder in (r for r in reminders if r.pk not in moot):
        try:
            connection.send_messages([_message(reminder)])
        except Exception as error:  # noqa: BLE001 - recorded, and the row goes back to pending
            PolicyReminder.objects.filter(pk=reminder.pk).update(
                status=ReminderStatus.PENDING if reminder.attempts < 5 else ReminderStatus.FAILED,
                last_error=str(error)[:500],
            )
            continue
        PolicyReminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.SENT, sent_at=timezone.now()
        )
        sent += 1
    return sent
