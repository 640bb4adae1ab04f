"""Events learning publishes (academy.events), and the enrollment state they carry.

Learning is the only writer of enrollments. Whenever a transaction changes enrollments, the
learning service publishes one `EnrollmentsChanged` with each enrollment's state before and after
(None for "did not exist"); reports subscribes and keeps its aggregate rows in step in the same
transaction. Learning imports nothing of reports.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from academy.events import Event, publish
from agencies.dates import agency_date

from .models import Certificate

COMPLETED = "completed"


@dataclass(frozen=True)
class EnrollmentState:
    """What an enrollment is, as far as the figures about it go, at one moment."""

    agency_id: int
    unit_id: int | None
    course_id: int
    required: bool
    status: str
    due_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    score: int | None = None
    days_to_complete: int | None = None
    certified: bool = False
    # Completed in the agency's former system and imported (learning.services.history).
    imported: bool = False
    # Its certificate (valid, not revoked) has expired (the expiry recorded by
    # `certificates_expire`): completed, but no longer compliant.
    expired: bool = False

    @classmethod
    def of(
        cls, enrollment, *, certified: bool | None = None, expired: bool = False
    ) -> "EnrollmentState":
        """The state of an Enrollment instance as it is in memory now.

        `certified` (has a valid certificate) and `expired` (its expiry is recorded) are
        looked up when `certified` is not given (one query).
        """
        completed = enrollment.status == COMPLETED and enrollment.completed_at is not None
        if certified is None:
            certified, expired = _certificate_standing(enrollment) if completed else (False, False)
        return cls.from_values(
            agency_id=enrollment.agency_id,
            unit_id=enrollment.unit_id,
            course_id=enrollment.course_id,
            required=enrollment.required,
            status=enrollment.status,
            due_on=enrollment.due_on,
            started_at=enrollment.started_at,
            completed_at=enrollment.completed_at,
            score=enrollment.final_score,
            certified=certified,
            time_zone=enrollment.agency.time_zone if completed else None,
            imported=enrollment.imported_at is not None,
            expired=expired,
        )

    @classmethod
    def from_values(
        cls,
        *,
        agency_id,
        unit_id,
        course_id,
        required,
        status,
        due_on,
        started_at,
        completed_at,
        score,
        certified,
        time_zone: str | None = None,
        imported: bool = False,
        expired: bool = False,
    ) -> "EnrollmentState":
        """`time_zone` is the agency's: the completion day is the agency's date (the day the
        dashboards, snapshots and overdue counts use), not the site's."""
        completed = status == COMPLETED and completed_at is not None
        days = None
        if completed:
            days = max((completed_at - (started_at or completed_at)).days, 0)
        return cls(
            agency_id=agency_id,
            unit_id=unit_id,
            course_id=course_id,
            required=bool(required),
            status=status,
            due_on=due_on,
            completed_on=agency_date(time_zone, completed_at) if completed else None,
            score=score if completed else None,
            days_to_complete=days,
            certified=bool(certified) and completed,
            imported=bool(imported) and completed,
            expired=bool(expired) and bool(certified) and completed,
        )


def _certificate_standing(enrollment) -> tuple[bool, bool]:
    """(has a valid certificate, its expiry is recorded) for the enrollment's current period."""
    row = (
        Certificate.objects.filter(enrollment_id=enrollment.pk, revoked_at__isnull=True)
        .values_list("expired_at", flat=False)
        .first()
    )
    return (row is not None, row is not None and row[0] is not None)


# The columns a state is made of, read straight from the enrollment rows.
_STATE_COLUMNS = (
    "agency_id",
    "unit_id",
    "course_id",
    "required",
    "status",
    "due_on",
    "started_at",
    "completed_at",
    "final_score",
    "certificate__id",
    "certificate__revoked_at",
    "agency__time_zone",
    "imported_at",
    "certificate__expired_at",
)


def _state_of_row(row: tuple) -> EnrollmentState:
    (agency, unit, course, required, status, due_on, started_at, completed_at, score,
     certificate_id, revoked_at, time_zone, imported_at, expired_at) = row  # fmt: skip
    return EnrollmentState.from_values(
        agency_id=agency,
        unit_id=unit,
        course_id=course,
        required=required,
        status=status,
        due_on=due_on,
        started_at=started_at,
        completed_at=completed_at,
        score=score,
        certified=certificate_id is not None and revoked_at is None,
        time_zone=time_zone,
        imported=imported_at is not None,
        expired=expired_at is not None,
    )


def states_for(enrollments) -> dict[int, EnrollmentState]:
    """{enrollment id: state} for a queryset of enrollments, in one query."""
    return {
        row[0]: _state_of_row(row[1:]) for row in enrollments.values_list("pk", *_STATE_COLUMNS)
    }


def states_streamed(enrollments, *, chunk_size: int) -> Iterator[EnrollmentState]:
    """The state of every enrollment of a queryset, read from a server-side cursor in chunks
    (the nightly recompute: the same reading as the live path, so the two cannot disagree)."""
    for row in enrollments.values_list(*_STATE_COLUMNS).iterator(chunk_size=chunk_size):
        yield _state_of_row(row)


Change = tuple[EnrollmentState | None, EnrollmentState | None]


@dataclass(frozen=True)
class EnrollmentsChanged(Event):
    """Enrollments changed in this transaction: (before, after) per enrollment."""

    changes: tuple[Change, ...]


def publish_enrollment_changes(changes: Iterable[Change]) -> None:
    """Publish the pairs that really changed, as one event; nothing when none did."""
    changed = tuple((before, after) for before, after in changes if before != after)
    if changed:
        publish(EnrollmentsChanged(changes=changed))


@dataclass(frozen=True)
class Recorded:
    """One appended learning event (saved: it has its id and time) with the enrollment it is
    about, as the service had it in hand (course and version loaded), and transient `detail`
    that is not stored in the log (a graded attempt's {question key: right?})."""

    event: object  # learning.models.LearningEvent
    enrollment: object  # learning.models.Enrollment
    detail: dict | None = None


@dataclass(frozen=True)
class LearningRecorded(Event):
    """Learning events were appended in this transaction (one event per service call or
    batch); downstream apps (the xAPI outbox) write their rows in the same transaction."""

    records: tuple[Recorded, ...]


def publish_recorded(records: Iterable[Recorded]) -> None:
    """Publish the appended events as one LearningRecorded; nothing when there are none."""
    records = tuple(records)
    if records:
        publish(LearningRecorded(records=records))


def publish_states_changed(
    before: dict[int, EnrollmentState], after: dict[int, EnrollmentState]
) -> None:
    """Publish the difference between two `states_for` readings of the same enrollments."""
    publish_enrollment_changes(
        (before.get(pk), after.get(pk)) for pk in before.keys() | after.keys()
    )
