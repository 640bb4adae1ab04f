"""When a person is asked to acknowledge the agency's current policy version, and by when.

One rule, used by the learner's page, the managers' page and the reminder scan:
- someone who never acknowledged the current version is asked from the later of its
  publication and their joining the agency, due `due_days` after that;
- someone who acknowledged it is done, unless the policy is yearly and their last
  acknowledgement is `RENEW_AFTER` old: they are asked again from that day, due `due_days` later.
"""

import datetime
from dataclasses import dataclass

RENEW_AFTER = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Request:
    """An open request to acknowledge: opened (the cycle) and due, as moments."""

    opened_at: datetime.datetime
    due_at: datetime.datetime
    renewal: bool


def open_request(
    *, yearly: bool, due_days: int, published_at, joined_at, last_ack_at, now
) -> Request | None:
    """The person's open request at `now`, or None when their acknowledgement stands."""
    if last_ack_at is not None:
        if not yearly or now < last_ack_at + RENEW_AFTER:
            return None
        opened, renewal = last_ack_at + RENEW_AFTER, True
    else:
        opened, renewal = max(published_at, joined_at or published_at), False
    return Request(opened, opened + datetime.timedelta(days=due_days), renewal)


def acknowledged_since(*, yearly: bool, now) -> datetime.datetime | None:
    """The oldest acknowledgement that still counts (None: any counts)."""
    return now - RENEW_AFTER if yearly else None
