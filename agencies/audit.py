"""The audit log: writing rows (`audit_record`, `audited`), their before/after values
(`changes`: {field: [before, after]}) and the readable names of actions and fields.

Every app that changes something writes its row through `agencies.services.audited` (re-exported
from here). Action codes stay stable strings in the database; what a person reads comes from
`AUDIT_ACTIONS`, a registry of code -> translatable label. Apps downstream of agencies register
the labels of their own codes with `AUDIT_ACTIONS.register(code, label)` from their
`AppConfig.ready()`; the codes the six core apps already write are registered below, since
agencies may import none of them. An unknown code reads as itself.
"""

import datetime
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import trans_real

from academy.registry import Registry

from .dates import agency_zone
from .models import AuditEvent, Role

AUDIT_ACTIONS: Registry = Registry("audit actions")

# One JSON line per audit row, for an agency's log collection (M-21-31) to ship to its SIEM;
# docs/security.md ("Audit log") and docs/deploy.md say how to route it.
audit_logger = logging.getLogger("academy.audit")

for _code, _label in [
    ("agency.create", _("Created an agency")),
    ("agency.update", _("Changed the agency's settings")),
    ("agency.domain_approve", _("Approved an email domain")),
    ("agency.domain_reject", _("Rejected an email domain")),
    ("unit.create", _("Added a unit")),
    ("unit.update", _("Changed a unit")),
    ("member.invite", _("Invited someone")),
    ("member.invite_resend", _("Sent an invitation again")),
    ("member.invite_revoke", _("Revoked an invitation")),
    ("member.join", _("Joined the agency")),
    ("member.update", _("Changed someone's role or unit")),
    ("member.deactivate", _("Deactivated someone")),
    ("member.reactivate", _("Reactivated someone")),
    ("reminder.nudge", _("Sent a reminder")),
    ("reminder.nudge_overdue", _("Reminded everyone overdue")),
    ("reminder.policy", _("Changed the reminder policy")),
    ("assignment.create", _("Assigned training")),
    ("assignment.remove", _("Removed an assignment")),
    ("course.create", _("Created a course")),
    ("course.import", _("Imported a course")),
    ("course.publish", _("Published a course")),
    ("course.restore", _("Restored an earlier version of a course")),
    ("course.archive", _("Archived a course")),
    ("course.unarchive", _("Brought back an archived course")),
    ("path.save", _("Saved a learning path")),
    ("certificate.revoke", _("Revoked a certificate")),
]:
    AUDIT_ACTIONS.register(_code, _label)

# A change of one kind reads more precisely than its action's general label.
_REFINED = {
    ("member.update", frozenset({"unit"})): _("Moved to another unit"),
    ("member.update", frozenset({"role"})): _("Changed someone's role"),
    ("member.update", frozenset({"role", "unit"})): _("Changed someone's role and unit"),
    ("unit.update", frozenset({"name"})): _("Renamed a unit"),
    ("unit.update", frozenset({"parent"})): _("Moved a unit"),
}

FIELD_LABELS = {
    "name": _("Name"),
    "acronym": _("Acronym"),
    "slug": _("Slug"),
    "domains": _("Email domains"),
    "pending_domains": _("Email domains waiting for approval"),
    "time_zone": _("Time zone"),
    "default_language": _("Default language"),
    "mfa_required": _("Multi-factor authentication required"),
    "parent": _("Inside"),
    "unit": _("Unit"),
    "role": _("Role"),
    "email": _("Email address"),
    "active": _("Active"),
    "status": _("Status"),
    "expires_at": _("Expires"),
    "before_days": _("Days before the due date"),
    "courses": _("Courses"),
    "course": _("Course"),
    "path": _("Learning path"),
    "due_on": _("Due date"),
    "due_days": _("Days to complete"),
    "target": _("Assigned to"),
    "required": _("Required"),
    "recur_months": _("Repeats every (months)"),
    "revoked": _("Revoked"),
    "reason": _("Reason"),
}

_VALUE_LABELS = {
    "role": dict(Role.choices),
    # reminders' TargetKind labels (agencies may not import reminders; same messages).
    "target": {
        "agency": _("The whole agency"),
        "unit": _("A unit and all units below it"),
        "people": _("Chosen people"),
    },
    "status": {
        "pending": _("Pending"),
        "active": _("Active"),
        "removed": _("Removed"),
        "valid": _("Valid"),
        "revoked": _("Revoked"),
        "published": _("Published"),
        "archived": _("Archived"),
        "draft": _("Draft"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
    },
}


def action_label(action: str, changes: dict | None = None) -> str:
    """What the action code `action` means, in the active language; `changes` may refine it
    ("Moved to another unit" for a member.update that changed the unit only)."""
    if changes:
        refined = _REFINED.get((action, frozenset(changes)))
        if refined is not None:
            return str(refined)
    label = AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every registered action, sorted by label in the active language."""
    return sorted(((code, str(label)) for code, label in AUDIT_ACTIONS.items()), key=lambda c: c[1])


def _show(name, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return ", ".join(_show(name, v) for v in value)
    labels = _VALUE_LABELS.get(name, {})
    return str(labels.get(value, value))


def describe_changes(changes: dict | None) -> list[tuple[str, str, str]]:
    """[(field label, before, after)] for display, in the active language."""
    return [
        (str(FIELD_LABELS.get(name, name)), _show(name, pair[0]), _show(name, pair[1]))
        for name, pair in (changes or {}).items()
        if isinstance(pair, (list, tuple)) and len(pair) == 2
    ]


def _plain(value):
    """A JSON-friendly form of a value for the `changes` field."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for each field of `after` whose value differs from `before`
    (a field missing from `before` counts as None: a creation lists every field)."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    }


def audit_record(
    *, actor, agency, action, target="", ip=None, outcome, detail=None, changes=None
) -> AuditEvent:
    """Append one audit row in the caller's transaction (no savepoint of its own): it commits
    or rolls back with the change around it. A refusal is still logged because `audited` writes
    the rejected row after the change's atomic block has rolled back, outside it (so it lasts
    if the surrounding transaction, when there is one, commits). `changes` is
    {field: [before, after]} (see `diff`).

    Once the row is committed (at once outside a transaction), the `academy.audit` logger
    writes it as one JSON line (`audit_log_line`); a row rolled back is never logged."""
    event = AuditEvent.objects.create(
        agency=agency,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target=str(target)[:300],
        ip_address=ip,
        outcome=outcome,
        detail=detail or {},
        changes=changes or {},
    )
    transaction.on_commit(lambda: _log_audit_event(event))
    return event


def audit_log_line(event: AuditEvent) -> str:
    """The audit row as one JSON object on one line: who, what, target, outcome, IP, time (UTC,
    ISO 8601), the agency, the before/after changes and, for a refusal, the reasons."""
    return json.dumps(
        {
            "type": "academy.audit",
            "id": event.pk,
            "time": event.created_at.astimezone(datetime.UTC).isoformat(),
            "actor_id": event.actor_id,
            "actor": event.actor_email,
            "action": event.action,
            "target": event.target,
            "outcome": event.outcome,
            "ip": event.ip_address,
            "agency_id": event.agency_id,
            "changes": event.changes,
            "reasons": [str(r) for r in (event.detail or {}).get("errors", [])],
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def _log_audit_event(event: AuditEvent) -> None:
    audit_logger.info(audit_log_line(event))


@dataclass
class AuditEntry:
    """The row `audited` is about to write; the change inside the block may fill in its
    before/after values once it knows them (`entry.changes = diff(before, after)`)."""

    changes: dict = field(default_factory=dict)


@contextmanager
def audited(*, actor, agency, action, target="", ip=None, detail=None, changes=None):
    """Run a change in one transaction and audit it: success, or rejected with the reasons.

    Yields an `AuditEntry`: `changes=` gives the before/after values known up front (for a
    refusal, what was asked for); the block may replace them with what it actually changed."""
    entry = AuditEntry(changes=dict(changes or {}))
    try:
        with transaction.atomic():
            yield entry
            audit_record(
                actor=actor,
                agency=agency,
                action=action,
                target=target,
                ip=ip,
                outcome=AuditEvent.Outcome.SUCCESS,
                detail=detail,
                changes=entry.changes,
            )
    except ValidationError as error:
        audit_record(
            actor=actor,
            agency=agency,
            action=action,
            target=target,
            ip=ip,
            outcome=AuditEvent.Outcome.REJECTED,
            detail={
                **(detail or {}),
                "errors": error.messages,
                "error_msgids": [msgid_of(message) for message in error.messages],
            },
            changes=entry.changes,
        )
        raise


@dataclass(frozen=True)
class AuditLine:
    """One audit event as people read it: local time, readable action, before/after."""

    event: AuditEvent
    when: datetime.datetime  # in the event's agency's time zone (the site's without one)
    action: str
    changes: list  # [(field label, before, after)]
    errors: list

    @property
    def rejected(self):
        return self.event.outcome == AuditEvent.Outcome.REJECTED


_reverse_catalogs: dict[str, dict[str, str]] = {}


def msgid_of(text: str) -> str | None:
    """The message id a refusal's text was translated from, when it is one (most refusals have
    no placeholders), so the log can show it in each reader's language; None otherwise."""
    language = translation.get_language() or "en"
    if language.split("-")[0] == "en":
        return text
    if language not in _reverse_catalogs:
        catalog = trans_real.translation(language)._catalog
        _reverse_catalogs[language] = {
            translated: msgid
            for msgid, translated in catalog.items()
            if isinstance(msgid, str) and isinstance(translated, str)
        }
    return _reverse_catalogs[language].get(text)


def reasons_in_current_language(detail: dict) -> list[str]:
    """A refusal's reasons in the reader's language where their message ids are known."""
    texts = [str(text) for text in detail.get("errors", [])]
    msgids = detail.get("error_msgids") or [None] * len(texts)
    return [
        translation.gettext(msgid) if msgid else text
        for text, msgid in zip(texts, msgids, strict=False)
    ]


def audit_lines(events) -> Iterator[AuditLine]:
    """`AuditLine`s for audit events loaded with their agency (no query per row)."""
    for event in events:
        zone = agency_zone(event.agency.time_zone if event.agency_id else None)
        yield AuditLine(
            event=event,
            when=timezone.localtime(event.created_at, zone),
            action=action_label(event.action, event.changes),
            changes=describe_changes(event.changes),
            errors=reasons_in_current_language(event.detail or {}),
        )


def audit_csv_rows(events) -> Iterator[list]:
    """The audit log export's header, then one list of cells per event."""
    yield [
        _("When"),
        _("Time zone"),
        _("Agency"),
        _("Who"),
        _("Action"),
        _("Action code"),
        _("Target"),
        _("Changes (before → after)"),
        _("IP address"),
        _("Outcome"),
        _("Reasons"),
    ]
    for line in audit_lines(events):
        event = line.event
        yield [
            line.when.strftime("%Y-%m-%d %H:%M:%S"),
            line.when.tzname(),
            event.agency.acronym if event.agency_id else "",
            event.actor_email,
            line.action,
            event.action,
            event.target,
            "; ".join(f"{label}: {before} → {after}" for label, before, after in line.changes),
            event.ip_address or "",
            event.get_outcome_display(),
            " ".join(line.errors),
        ]
