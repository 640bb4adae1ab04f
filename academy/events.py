"""Domain events between apps, delivered synchronously inside the publisher's transaction.

An upstream app (say `agencies`) publishes a frozen dataclass event when something changed that
other apps keep rows about (a person moved unit); downstream apps subscribe from their
`AppConfig.ready()` and call their own services. The upstream app never imports them.

Not Django signals, on purpose:

- `publish()` refuses to run outside `transaction.atomic()`, so every subscriber writes in the
  same transaction as the change it follows: a rollback undoes both.
- Subscribers run in an order declared once, in `SUBSCRIBER_ORDER` below, never in the order the
  apps happened to load; that order is also the lock order (enrollments before aggregates).
- An event that nobody subscribes to is an error, not a silent no-op.

This module imports no app of the project.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

# Subscribers run app by app in this order (then in the order each app subscribed). Learning
# moves enrollments before reminders moves its rows and before reports counts them, which is
# the lock order documented in docs/architecture.md.
SUBSCRIBER_ORDER = (
    "learning",
    "reminders",
    "reports",
    "xapi",
    "credentials",
    "policies",
    "live",
)


@dataclass(frozen=True)
class Event:
    """Base class of every domain event."""


class NoSubscriberError(LookupError):
    """An event was published that no app subscribes to."""


class OutsideTransactionError(RuntimeError):
    """An event was published outside a transaction, where subscribers could half-apply."""


Subscriber = Callable[[Event], None]
_subscribers: dict[type[Event], list[tuple[str, Subscriber]]] = defaultdict(list)


def _app_rank(app_label: str) -> int:
    if app_label not in SUBSCRIBER_ORDER:
        raise ValueError(f"Add {app_label!r} to academy.events.SUBSCRIBER_ORDER first.")
    return SUBSCRIBER_ORDER.index(app_label)


def subscribe(event_type: type[Event], subscriber: Subscriber, *, app_label: str) -> None:
    """Call `subscriber(event)` for every published `event_type`. Call from AppConfig.ready();
    subscribing the same function twice is a no-op."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"{event_type!r} is not a domain event.")
    entries = _subscribers[event_type]
    if (app_label, subscriber) in entries:
        return
    _app_rank(app_label)
    entries.append((app_label, subscriber))
    entries.sort(key=lambda entry: _app_rank(entry[0]))  # stable: keeps each app's own order


def subscribers_of(event_type: type[Event]) -> list[Subscriber]:
    """The subscribers of `event_type`, in the order they are called."""
    return [subscriber for _app, subscriber in _subscribers.get(event_type, [])]


def wiring() -> dict[str, list[str]]:
    """{event name: ["app: module.function", ...]} in call order, for docs and tests."""
    return {
        f"{event_type.__module__}.{event_type.__qualname__}": [
            f"{app}: {sub.__module__}.{sub.__qualname__}" for app, sub in entries
        ]
        for event_type, entries in sorted(
            _subscribers.items(), key=lambda item: (item[0].__module__, item[0].__qualname__)
        )
        if entries
    }


def publish(event: Event, *, using: str | None = None) -> None:
    """Deliver `event` to its subscribers now, inside the caller's transaction."""
    if not transaction.get_connection(using).in_atomic_block:
        raise OutsideTransactionError(
            f"Publish {type(event).__name__} inside transaction.atomic()."
        )
    subscribers = subscribers_of(type(event))
    if not subscribers:
        raise NoSubscriberError(f"Nothing subscribes to {type(event).__name__}.")
    for subscriber in subscribers:
        subscriber(event)
