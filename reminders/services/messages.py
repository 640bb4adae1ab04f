"""Building reminder emails (text and HTML, in the recipient's language) and deciding mootness."""

import datetime
import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.models import Membership
from learning.models import EnrollmentStatus

from ..models import Assignee, Kind, ReminderLog, ReminderPreference
from ..policy import Policy

DIGEST_LIST_LIMIT = 50
SOON_DAYS = 7


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def course_url(slug: str) -> str:
    try:
        return absolute(reverse("learning:course", args=[slug]))
    except NoReverseMatch:
        return absolute(f"/learn/{slug}/")


@dataclass
class Context:
    """What the sender loaded in bulk for one chunk of logs."""

    assignees: dict  # enrollment_id -> list of active assignee dicts
    preferences: dict  # user_id -> ReminderPreference
    policies: dict  # agency_id -> Policy
    now: datetime.datetime


def moot_reason(log: ReminderLog, ctx: Context) -> str:
    """Why this reminder should not be sent any more ("" if it should)."""
    if not log.recipient.is_active:
        return "recipient inactive"
    if log.enrollment_id is None:
        return ""
    enrollment = log.enrollment
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return "completed"
    active = ctx.assignees.get(log.enrollment_id, [])
    if not active:
        return "assignment removed"
    if max(a["period"] for a in active) > log.period:
        return "period over"
    if log.kind in (Kind.BEFORE, Kind.DUE, Kind.OVERDUE) and not any(a["required"] for a in active):
        pref = ctx.preferences.get(log.recipient_id)
        if pref is not None and pref.recommended_digest:
            return "learner chose the weekly digest"
    return ""


def _language(log: ReminderLog, ctx: Context) -> str:
    pref = ctx.preferences.get(log.recipient_id)
    return (pref.language if pref and pref.language else log.agency.default_language) or "en"


SUBJECTS = {
    Kind.BEFORE: lambda c: _("Reminder: “%(course)s” is due on %(due)s") % c,
    Kind.DUE: lambda c: _("Due today: “%(course)s”") % c,
    Kind.OVERDUE: lambda c: _("Overdue: “%(course)s” was due on %(due)s") % c,
    Kind.NUDGE: lambda c: _("Your manager reminds you: “%(course)s”, due on %(due)s") % c,
    Kind.ESCALATION: lambda c: _("%(learner)s is overdue on “%(course)s”") % c,
    Kind.MANAGER_DIGEST: lambda c: _("Weekly digest: your people's required training") % c,
    Kind.LEARNER_DIGEST: lambda c: _("Weekly digest: your recommended training") % c,
}


def _digest_rows(log: ReminderLog, ctx: Context):
    """The rows a digest lists: (learner, course title, due date, overdue?) — bounded."""
    policy: Policy = ctx.policies[log.agency_id]
    today = policy.today(ctx.now)
    soon = today + datetime.timedelta(days=SOON_DAYS)
    rows = Assignee.objects.filter(
        is_active=True, agency_id=log.agency_id, due_on__lte=soon
    ).exclude(enrollment__status=EnrollmentStatus.COMPLETED)
    if log.kind == Kind.MANAGER_DIGEST:
        unit_path = (
            Membership.objects.filter(user_id=log.recipient_id)
            .values_list("unit__path", flat=True)
            .first()
        )
        if not unit_path:
            return [], today
        rows = rows.filter(required=True, unit_path__startswith=unit_path)
    else:
        rows = rows.filter(user_id=log.recipient_id, required=False)
    rows = (
        rows.order_by("due_on", "user__full_name")
        .values(
            "user__full_name",
            "user__email",
            "enrollment__course__title",
            "enrollment__course__slug",
            "due_on",
        )
        .distinct()[:DIGEST_LIST_LIMIT]
    )
    return [
        {
            "learner": r["user__full_name"] or r["user__email"],
            "course": r["enrollment__course__title"],
            "due": r["due_on"],
            "overdue": r["due_on"] < today,
            "url": course_url(r["enrollment__course__slug"]),
        }
        for r in rows
    ], today


def reminder_message_id(log: ReminderLog) -> str:
    """The same Message-ID every time this reminder is sent: a copy sent again after a crash
    (see sending.reminders_sweep) is the same message to the recipient's mail system, which
    keeps one."""
    digest = hashlib.sha256(log.key.encode()).hexdigest()[:16]
    domain = urlsplit(settings.SITE_URL).hostname or "academy.local"
    return f"<reminder.{log.pk}.{digest}@{domain}>"


def build_message(log: ReminderLog, ctx: Context, connection):
    """(EmailMultiAlternatives, notification fields) for a log, or (None, None) if there is
    nothing to say (an empty digest)."""
    with translation.override(_language(log, ctx)):
        context = {
            "kind": log.kind,
            "recipient": log.recipient,
            "agency": log.agency,
            "site_url": settings.SITE_URL,
        }
        if log.enrollment_id:
            enrollment = log.enrollment
            active = ctx.assignees.get(log.enrollment_id, [])
            due = min((a["due_on"] for a in active), default=enrollment.due_on)
            today = ctx.policies[log.agency_id].today(ctx.now)
            context.update(
                course=enrollment.course.title,
                due=due,
                days_overdue=(today - due).days if due else 0,
                learner=enrollment.user.full_name or enrollment.user.email,
                url=course_url(enrollment.course.slug),
            )
            if log.kind == Kind.ESCALATION:
                context["url"] = absolute(reverse("reminders:overdue"))
        else:
            rows, today = _digest_rows(log, ctx)
            if not rows:
                return None, None
            context.update(
                rows=rows,
                today=today,
                url=absolute(
                    reverse(
                        "reminders:overdue"
                        if log.kind == Kind.MANAGER_DIGEST
                        else "reminders:notifications"
                    )
                ),
            )
        subject_context = {
            "course": context.get("course", ""),
            "learner": context.get("learner", ""),
            "due": _format_date(context.get("due")),
        }
        subject = SUBJECTS[log.kind](subject_context)
        context["subject"] = subject
        text = render_to_string("reminders/email/reminder.txt", context)
        html = render_to_string("reminders/email/reminder.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [log.recipient.email],
        connection=connection,
        headers={"X-Academy-Reminder": log.key, "Message-ID": reminder_message_id(log)},
    )
    message.attach_alternative(html, "text/html")
    notification = {
        "title": subject[:300],
        "body": text.split("\n\n")[0][:1000],
        "url": context.get("url", "")[:500],
    }
    return message, notification


def build_source_message(log: ReminderLog, sourced: dict, connection):
    """(message, notification fields, "") for a reminder of a registered source, or
    (None, None, why) when its source says it is moot (or said nothing of it)."""
    prepared = sourced.get(log.pk, "no longer known to its source")
    if isinstance(prepared, str):
        return None, None, prepared
    message = EmailMultiAlternatives(
        prepared.subject,
        prepared.text,
        settings.DEFAULT_FROM_EMAIL,
        [log.recipient.email],
        connection=connection,
        headers={"X-Academy-Reminder": log.key, "Message-ID": reminder_message_id(log)},
    )
    if prepared.html:
        message.attach_alternative(prepared.html, "text/html")
    notification = {
        "title": prepared.subject[:300],
        "body": prepared.text.split("\n\n")[0][:1000],
        "url": prepared.url[:500],
    }
    return message, notification, ""


def _format_date(value):
    if not value:
        return ""
    return date_format(value, "DATE_FORMAT")


def load_preferences(user_ids):
    return {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=user_ids)}
