"""The domain-event dispatcher: in the transaction, in the declared order, never unheard."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from academy import events
from academy.events import Event, NoSubscriberError, OutsideTransactionError, publish, subscribe
from agencies.events import MemberMoved
from agencies.models import Membership
from agencies.services import membership_update

# The whole wiring, in call order. A change here is a change of architecture: update
# docs/architecture.md ("Events") with it.
EXPECTED_WIRING = {
    "agencies.events.MemberActivated": [
        "reports: reports.subscribers.count_activated",
    ],
    "agencies.events.MemberActiveChanged": [
        "reports: reports.subscribers.count_active_changed",
        "policies: policies.subscribers.cells_follow_active",
    ],
    "agencies.events.MemberMoved": [
        "learning: learning.subscribers.enrollments_follow_member",
        "reminders: reminders.subscribers.assignees_follow_moved_member",
        "reports: reports.subscribers.count_moved",
        "policies: policies.subscribers.cells_follow_move",
        "live: live.subscribers.standing_sessions_for_moved_member",
    ],
    "agencies.events.MembersJoined": [
        "reminders: reminders.subscribers.standing_assignments_for_newcomers",
        "reports: reports.subscribers.count_joined",
        "live: live.subscribers.standing_sessions_for_newcomers",
    ],
    "agencies.events.UnitMoved": [
        "reminders: reminders.subscribers.assignees_follow_moved_unit",
    ],
    "learning.events.EnrollmentsChanged": [
        "reports: reports.subscribers.enrollment_cells_follow",
    ],
    "learning.events.LearningRecorded": [
        "xapi: xapi.subscribers.statements_follow",
        "credentials: credentials.subscribers.credentials_follow",
    ],
}


def test_wiring_is_each_event_with_its_subscribers_in_order():
    wiring = events.wiring()
    for name, subscribers in wiring.items():
        print(name)
        for subscriber in subscribers:
            print("   ->", subscriber)
    assert wiring == EXPECTED_WIRING


@dataclass(frozen=True)
class Pinged(Event):
    n: int


@dataclass(frozen=True)
class Unheard(Event):
    pass


@pytest.fixture
def pinged_calls(monkeypatch):
    monkeypatch.setattr(events, "_subscribers", events.defaultdict(list))
    calls = []
    # Subscribed out of order on purpose: the declared app order wins.
    subscribe(Pinged, lambda e: calls.append(("reports", e.n)), app_label="reports")
    subscribe(Pinged, lambda e: calls.append(("learning", e.n)), app_label="learning")
    subscribe(Pinged, lambda e: calls.append(("reminders", e.n)), app_label="reminders")
    return calls


@pytest.mark.django_db
def test_subscribers_run_in_the_declared_app_order(pinged_calls):
    with transaction.atomic():
        publish(Pinged(n=1))
    assert pinged_calls == [("learning", 1), ("reminders", 1), ("reports", 1)]


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_is_refused(pinged_calls):
    with pytest.raises(OutsideTransactionError):
        publish(Pinged(n=2))
    assert pinged_calls == []


@pytest.mark.django_db
def test_an_event_nobody_hears_is_an_error(pinged_calls):
    with transaction.atomic(), pytest.raises(NoSubscriberError):
        publish(Unheard())


def test_subscribing_from_an_undeclared_app_is_refused(pinged_calls):
    with pytest.raises(ValueError, match="SUBSCRIBER_ORDER"):
        subscribe(Pinged, print, app_label="elsewhere")


def test_only_events_can_be_subscribed_to(pinged_calls):
    with pytest.raises(TypeError):
        subscribe(dict, print, app_label="reports")


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_rolls_back_the_publishers_change(monkeypatch, world):
    """Subscribers write in the publisher's transaction: if one fails, nothing is kept."""

    def broken(event):
        raise RuntimeError("counts unavailable")

    monkeypatch.setattr(
        events,
        "_subscribers",
        events.defaultdict(list, {key: list(value) for key, value in events._subscribers.items()}),
    )
    subscribe(MemberMoved, broken, app_label="reports")
    membership = Membership.objects.get(user=world.a_learner)
    with pytest.raises(RuntimeError):
        membership_update(
            actor=world.a_admin, membership=membership, role=membership.role, unit=world.ops
        )
    membership.refresh_from_db()
    assert membership.unit_id == world.data.pk
