"""Reminder settings, each overridable in academy/settings.py (see .env.example)."""

from django.conf import settings


def get(name: str, default):
    return getattr(settings, name, default)


def scan_limit() -> int:
    """Assignees looked at per scan transaction; the scan task loops until none are due."""
    return get("REMINDERS_SCAN_LIMIT", 5000)


def chunk_size() -> int:
    """Reminder log ids per sending task (one SMTP connection per chunk)."""
    return get("REMINDERS_SEND_CHUNK", 200)


def max_attempts() -> int:
    return get("REMINDERS_MAX_ATTEMPTS", 5)


def retry_base_seconds() -> int:
    """Backoff: base * 2 ** (attempt - 1) seconds between tries."""
    return get("REMINDERS_RETRY_BASE_SECONDS", 30)


def stale_after_seconds() -> int:
    """A log left 'sending' longer than this was interrupted; the sweeper marks it failed."""
    return get("REMINDERS_STALE_SENDING_SECONDS", 900)


def requeue_after_seconds() -> int:
    """A 'pending' log older than this lost its task (e.g. broker restart); the sweeper requeues it.
    An assignment still materialising this long after it was made is handed to a new task too."""
    return get("REMINDERS_REQUEUE_PENDING_SECONDS", 300)


def record_retry_seconds() -> int:
    """How long a worker keeps trying to record reminders it has handed to the mail server while
    the database is unreachable (a restart, a failover). Keep it below
    REMINDERS_STALE_SENDING_SECONDS; past it the rows are left to the sweep, which sends them
    again with the same Message-ID."""
    return get("REMINDERS_RECORD_RETRY_SECONDS", 300)


def materialise_batch() -> int:
    return get("REMINDERS_MATERIALISE_BATCH", 1000)


def late_join_days() -> int:
    """Someone who joins after a fixed due date has passed gets this many days."""
    return get("REMINDERS_LATE_JOIN_DAYS", 30)


def recurrence_open_days() -> int:
    """A recurring training reopens this many days before its next due date."""
    return get("REMINDERS_RECURRENCE_OPEN_DAYS", 30)


def nudges_per_hour() -> int:
    return get("REMINDERS_NUDGES_PER_HOUR", 50)
