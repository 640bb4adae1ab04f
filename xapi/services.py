"""Changes of state of the xAPI outbox: configuration, recording statements, delivery, resend.

Recording runs inside learning's transaction (subscriber of LearningRecorded), so statements
commit or roll back with the learning event they report. Delivery is at-least-once with
deterministic statement ids and frozen bodies, which the LRS stores once: so each statement
arrives exactly once in the LRS.
"""

import datetime
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.access import actor_for
from agencies.audit import audited

from . import client, statements
from .models import Activity, ActorFormat, LrsConfig, OutboxStatement, Outcome

CACHE_SECONDS = 3600
NO_LRS = 0


def _cache_key(agency_id: int) -> str:
    return f"xapi:lrs:{agency_id}"


def _config_id(agency_id: int) -> int:
    """The agency's enabled LRS configuration id, or NO_LRS. Read from the shared cache so an
    agency without an LRS costs the learning services no query; the configuration service sets
    the entry after each change (cache.add here never overwrites that)."""
    key = _cache_key(agency_id)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 (a cache that is down must not fail a learner's step)
        found = None
    if found is not None:
        return found
    found = (
        LrsConfig.objects.filter(agency_id=agency_id, enabled=True)
        .values_list("pk", flat=True)
        .first()
    ) or NO_LRS
    try:
        cache.add(key, found, CACHE_SECONDS)
    except Exception:  # noqa: BLE001, S110
        pass
    return found


def _remember(config: LrsConfig) -> None:
    value = config.pk if config.enabled else NO_LRS

    def store():
        cache.set(_cache_key(config.agency_id), value, CACHE_SECONDS)

    # robust: a cache that is down does not fail the admin's save (the entry then expires
    # within CACHE_SECONDS, and a disabled LRS is checked again when statements are written).
    transaction.on_commit(store, robust=True)


def statements_record(records) -> int:
    """Write the statements of these learning events (learning.events.Recorded) to the outbox,
    with one INSERT, for agencies with an enabled LRS; returns how many. No query at all when
    no agency of the records has one (the usual case: the answer is cached)."""
    by_agency: dict[int, list] = {}
    for record in records:
        by_agency.setdefault(record.event.agency_id, []).append(record)
    rows = []
    for agency_id, agency_records in by_agency.items():
        config_id = _config_id(agency_id)
        if config_id == NO_LRS:
            continue
        config = LrsConfig.objects.filter(pk=config_id, enabled=True).first()
        if config is None:
            continue
        profile = statements.Profile.of(config)
        emails = _emails(config, agency_records)
        for record in agency_records:
            for sid, verb, statement in statements.build(
                record, profile, email=emails.get(record.event.user_id)
            ):
                rows.append(
                    OutboxStatement(
                        agency_id=agency_id,
                        statement_id=sid,
                        verb=verb,
                        body=statements.freeze(statement),
                        created_at=record.event.created_at,
                    )
                )
    if rows:
        OutboxStatement.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _emails(config: LrsConfig, records) -> dict[int, str]:
    """{user id: email} of the records' learners, for mbox actors (one query for those the
    services did not have in hand)."""
    if config.actor_format != ActorFormat.MBOX:
        return {}
    emails = {}
    missing = set()
    for record in records:
        enrollment = record.enrollment
        user = None
        if enrollment is not None and type(enrollment).user.is_cached(enrollment):
            user = enrollment.user
        if user is not None and user.pk == record.event.user_id:
            emails[user.pk] = user.email
        else:
            missing.add(record.event.user_id)
    missing -= emails.keys()
    if missing:
        emails.update(User.objects.filter(pk__in=missing).values_list("pk", "email"))
    return emails


def lrs_config_save(
    *,
    actor,
    agency,
    endpoint: str,
    key: str,
    secret: str = "",
    version: str,
    actor_format: str,
    activities: list[str],
    enabled: bool = True,
    ip=None,
) -> LrsConfig:
    """Create or change the agency's LRS, as its agency admin (PermissionDenied otherwise).

    A blank `secret` keeps the stored one (it is never shown back); a new configuration needs
    one. Changing it clears the backoff, so waiting statements go at the next delivery run.
    Statements are written for learning events from the moment it is saved and enabled."""
    if not actor_for(actor).administers_agency(agency.pk):
        raise PermissionDenied(
            _("Only the agency's admins can configure its learning record store.")
        )
    unknown = set(activities) - set(Activity.values)
    if unknown:
        raise ValidationError(_("Choose activities from the list."))
    with audited(
        actor=actor, agency=agency, action="xapi.config_update", target=endpoint, ip=ip
    ) as entry:
        config = LrsConfig.objects.select_for_update().filter(agency=agency).first()
        if config is None:
            if not secret:
                raise ValidationError(_("Give the secret the LRS gave you for Academy."))
            config = LrsConfig(agency=agency, actor_salt=secrets.token_hex(32))
        before = {
            "endpoint": config.endpoint,
            "key": config.key,
            "version": config.version,
            "actor_format": config.actor_format,
            "activities": list(config.activities or []),
            "enabled": config.enabled if config.pk else None,
        }
        config.endpoint, config.key, config.version = endpoint, key, version
        config.actor_format, config.activities = actor_format, sorted(set(activities))
        config.enabled = enabled
        if secret:
            config.secret = secret
        config.failures, config.retry_at, config.last_error = 0, None, ""
        config.save()
        after = {
            "endpoint": endpoint,
            "key": key,
            "version": version,
            "actor_format": actor_format,
            "activities": config.activities,
            "enabled": enabled,
        }
        entry.changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if secret:
            entry.changes["secret"] = ["…", "…"]
        _remember(config)
    return config


def outbox_resend_failed(*, actor, agency, ip=None) -> int:
    """Put the agency's failed statements back in the queue (after the configuration was
    fixed), as its agency admin; returns how many. They keep their ids and bodies."""
    if not actor_for(actor).administers_agency(agency.pk):
        raise PermissionDenied(_("Only the agency's admins can resend statements."))
    with audited(actor=actor, agency=agency, action="xapi.resend", ip=ip) as entry:
        count = OutboxStatement.objects.filter(agency=agency, status=Outcome.FAILED).update(
            status=Outcome.WAITING, error="", tries=0
        )
        LrsConfig.objects.filter(agency=agency).update(failures=0, retry_at=None)
        entry.changes = {"resent": [None, count]}
    return count


def outbox_purge_sent(*, now=None) -> int:
    """Delete statements sent more than XAPI_SENT_RETENTION_DAYS ago (the LRS has them; the
    outbox is not an archive); returns how many. Waiting and refused ones are never purged."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.XAPI_SENT_RETENTION_DAYS)
    deleted, _by_model = OutboxStatement.objects.filter(
        status=Outcome.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted


def backoff(failures: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, ... up to XAPI_MAX_BACKOFF_SECONDS between tries of a down LRS."""
    seconds = min(30 * 2 ** max(failures - 1, 0), settings.XAPI_MAX_BACKOFF_SECONDS)
    return datetime.timedelta(seconds=seconds)


def agencies_due(*, now=None) -> list[int]:
    """Agencies with an enabled LRS that is not backing off and statements waiting."""
    now = now or timezone.now()
    waiting = OutboxStatement.objects.filter(status=Outcome.WAITING).values("agency_id")
    return list(
        LrsConfig.objects.filter(enabled=True, agency_id__in=waiting)
        .exclude(retry_at__gt=now)
        .order_by("agency_id")
        .values_list("agency_id", flat=True)
    )


class LrsDown(Exception):
    """The LRS could not take a batch (unreachable, 5xx, credentials refused)."""

    def __init__(self, answer):
        super().__init__(answer.reason or f"HTTP {answer.status}")
        self.answer = answer


def _deliver(config: LrsConfig, rows: list[OutboxStatement], post) -> tuple[list, list]:
    """(delivered rows, [(row, reason)] refused): bisects a refused batch down to the
    statements at fault. Raises LrsDown when the LRS cannot take statements at all."""
    answer = post(
        endpoint=config.endpoint,
        key=config.key,
        secret=config.secret,
        version=config.version,
        bodies=[row.body for row in rows],
    )
    if answer.stored:
        return rows, []
    if not answer.refused:
        raise LrsDown(answer)
    if len(rows) == 1:
        return [], [(rows[0], answer.reason or f"HTTP {answer.status}")]
    middle = len(rows) // 2
    sent_a, refused_a = _deliver(config, rows[:middle], post)
    sent_b, refused_b = _deliver(config, rows[middle:], post)
    return sent_a + sent_b, refused_a + refused_b


def outbox_deliver(*, agency_id: int, batch_size: int | None = None, post=None) -> dict:
    """Send the agency's waiting statements, oldest first, in batches, until none is left or
    the LRS fails; returns {"sent": n, "failed": n, "down": reason or ""}.

    Each batch is claimed under row locks (skip locked: two workers never send the same rows
    at once), posted, and marked in the same transaction. A refused batch (4xx) is split in
    halves until the statements at fault are found; they are marked failed with the LRS's
    reason and the others are sent. An LRS that is down, answers 5xx or refuses the
    credentials leaves the batch waiting and backs off (`backoff`)."""
    batch_size = batch_size or settings.XAPI_BATCH_SIZE
    post = post or client.post_statements
    totals = {"sent": 0, "failed": 0, "down": ""}
    while True:
        with transaction.atomic():
            config = LrsConfig.objects.filter(agency_id=agency_id, enabled=True).first()
            if config is None:
                return totals
            rows = list(
                OutboxStatement.objects.select_for_update(skip_locked=True)
                .filter(agency_id=agency_id, status=Outcome.WAITING)
                .order_by("created_at", "id")[:batch_size]
            )
            if not rows:
                return totals
            now = timezone.now()
            try:
                sent, refused = _deliver(config, rows, post)
            except LrsDown as down:
                ids = [row.pk for row in rows]
                OutboxStatement.objects.filter(pk__in=ids).update(tries=F("tries") + 1)
                config.failures += 1
                config.retry_at = now + backoff(config.failures)
                config.last_error = str(down)[:500]
                config.save(update_fields=["failures", "retry_at", "last_error"])
                totals["down"] = config.last_error
                return totals
            if sent:
                OutboxStatement.objects.filter(pk__in=[row.pk for row in sent]).update(
                    status=Outcome.SENT, sent_at=now, error="", tries=F("tries") + 1
                )
            for row, reason in refused:
                row.status, row.error, row.tries = Outcome.FAILED, reason[:500], row.tries + 1
            if refused:
                OutboxStatement.objects.bulk_update(
                    [row for row, _reason in refused], ["status", "error", "tries"]
                )
            if config.failures or config.retry_at or config.last_error:
                config.failures, config.retry_at, config.last_error = 0, None, ""
                config.save(update_fields=["failures", "retry_at", "last_error"])
            totals["sent"] += len(sent)
            totals["failed"] += len(refused)
