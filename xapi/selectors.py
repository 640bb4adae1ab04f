"""What the agency admin's LRS page reads: the configuration and the queue (bounded)."""

from django.db.models import Count

from .models import LrsConfig, OutboxStatement, Outcome

FAILED_SHOWN = 50


def lrs_config(*, agency) -> LrsConfig | None:
    return LrsConfig.objects.filter(agency=agency).first()


def outbox_summary(*, agency) -> dict:
    """{"waiting": n, "sent": n, "failed": n, "failed_rows": the latest FAILED_SHOWN failed
    statements (verb, id, error, when)}: two queries whatever the queue's size."""
    counts = dict(
        OutboxStatement.objects.filter(agency=agency)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    failed_rows = list(
        OutboxStatement.objects.filter(agency=agency, status=Outcome.FAILED)
        .order_by("-created_at", "-id")
        .values("statement_id", "verb", "error", "created_at", "tries")[:FAILED_SHOWN]
    )
    return {
        "waiting": counts.get(Outcome.WAITING, 0),
        "sent": counts.get(Outcome.SENT, 0),
        "failed": counts.get(Outcome.FAILED, 0),
        "failed_rows": failed_rows,
    }
