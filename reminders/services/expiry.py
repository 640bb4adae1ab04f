"""Certificates that expire: "certificate expiring" reminders and the refresher.

A course's validity (courses: `validity_months`) gives each certificate its own `expires_at`
(learning). The agency's policy lists the days before the expiry on which the learner is
reminded (`ReminderPolicy.expiry_before_days`, 60, 30 and 7 by default). `expiry_reminders_record`
(beat, hourly) finds the certificates inside the widest window, works out the latest step whose
day has come (a late look sends one reminder, not a backlog) and writes one ReminderLog row per
certificate and step through `reminders_record`, the exactly-once log: a second or concurrent
run writes nothing. Before the first reminder of a certificate goes out, the training is
reopened for a new period due on the expiry day (learning's `enrollment_reopen`, the way
recurring assignments re-enrol; idempotent by period), and the person's assignee rows follow,
so the refresher shows in My learning and the usual due-date reminders take over.
"""

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learning.models import Certificate, EnrollmentStatus
from learning.services import enrollment_reopen

from ..models import Assignee, Kind, ReminderPolicy
from ..policy import Policy, expiry_step
from ..registries import ReminderMessage
from .messages import course_url
from .recorded import ReminderDraft, reminders_record
from .scan import policies_for

KINDS = (Kind.CERTIFICATE_EXPIRING,)

_COLUMNS = (
    "pk",
    "period",
    "expires_at",
    "issued_for_id",
    "issued_for__user_id",
    "issued_for__agency_id",
    "issued_for__period",
    "issued_for__status",
)


def _open_certificates(now, horizon_days: int):
    """Valid certificates expiring in the next `horizon_days` days (and a day of slack for time
    zones) that are still the latest of their enrollment: no later period is completed."""
    rows = Certificate.objects.filter(
        revoked_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + datetime.timedelta(days=horizon_days + 1),
    ).values(*_COLUMNS)
    return [
        row
        for row in rows
        if not (
            row["issued_for__period"] > row["period"]
            and row["issued_for__status"] == EnrollmentStatus.COMPLETED
        )
    ]


def _refresh(row, due_on: datetime.date, now, today: datetime.date) -> None:
    """Reopen the certificate's training for the next period, due on the expiry day, once."""
    period = row["period"] + 1
    if row["issued_for__period"] >= period:
        return  # already reopened (by an earlier step, or a recurring assignment)
    with transaction.atomic():
        enrollment = Certificate.objects.select_related("issued_for").get(pk=row["pk"]).issued_for
        reopened = enrollment_reopen(enrollment=enrollment, period=period, due_on=due_on)
        if reopened.period == period:
            Assignee.objects.filter(
                enrollment_id=reopened.pk, is_active=True, period__lt=period
            ).update(period=period, period_start=today, due_on=due_on, next_remind_at=now)


def expiry_reminders_record(*, now=None) -> list[int]:
    """Record the "certificate expiring" reminders owed now, once per certificate and step,
    reopening the training (the refresher) first. Returns the ids of the log rows written
    (sent after commit). Safe to run twice or concurrently."""
    now = now or timezone.now()
    custom = ReminderPolicy.objects.values_list("expiry_before_days", flat=True)
    widest = max([max(Policy.expiry_before_days), *(max(days or [0]) for days in custom)])
    rows = _open_certificates(now, widest)
    if not rows:
        return []
    policies = policies_for({row["issued_for__agency_id"] for row in rows})
    drafts = []
    for row in rows:
        policy = policies[row["issued_for__agency_id"]]
        expires_on = row["expires_at"].astimezone(policy.tz).date()
        step = expiry_step(policy, expires_on, policy.send_day(now))
        if step is None:
            continue
        _refresh(row, expires_on, now, policy.today(now))
        drafts.append(
            ReminderDraft(
                kind=Kind.CERTIFICATE_EXPIRING,
                agency_id=row["issued_for__agency_id"],
                recipient_id=row["issued_for__user_id"],
                object_id=row["pk"],
                period=step,
            )
        )
    return reminders_record(drafts=drafts)


def _moot(log, certificate, now) -> str:
    if certificate is None:
        return "certificate deleted"
    if certificate.revoked_at is not None:
        return "certificate revoked"
    if certificate.is_expired(now):
        return "certificate expired"
    enrollment = certificate.issued_for
    if enrollment.period > certificate.period and enrollment.status == EnrollmentStatus.COMPLETED:
        return "renewed"
    return ""


def _message(log, certificate) -> ReminderMessage:
    agency = log.agency
    enrollment = certificate.issued_for
    with (
        translation.override(agency.default_language or "en"),
        timezone.override(agency.time_zone or "UTC"),
    ):
        context = {
            "certificate": certificate,
            "recipient": log.recipient,
            "days": log.period,
            "url": course_url(enrollment.course.slug),
            "due_on": enrollment.due_on,
        }
        subject = _("Your certificate expires soon: %(title)s") % {
            "title": certificate.course_title
        }
        text = render_to_string("reminders/email/certificate_expiring.txt", context)
    return ReminderMessage(subject=subject, text=text, url=context["url"])


def expiry_reminders_prepare(logs, now) -> dict:
    """For reminders' sender: per log id, the message or why it is moot (one query)."""
    certificates = Certificate.objects.select_related("issued_for__course").in_bulk(
        {log.object_id for log in logs}
    )
    prepared = {}
    for log in logs:
        certificate = certificates.get(log.object_id)
        reason = _moot(log, certificate, now)
        prepared[log.pk] = reason or _message(log, certificate)
    return prepared
