"""The append-only learning event log."""

from ..events import Recorded, publish_recorded
from ..models import LearningEvent


def _event(
    *,
    enrollment,
    verb: str,
    object_type: str,
    object_key: str = "",
    result: dict | None = None,
    user=None,
) -> LearningEvent:
    return LearningEvent(
        user_id=user.pk if user is not None else enrollment.user_id,
        agency_id=enrollment.agency_id,
        verb=verb,
        object_type=object_type,
        object_key=str(object_key)[:120],
        course_id=enrollment.course_id,
        result=result or {},
    )


def event_record(
    *,
    enrollment,
    verb: str,
    object_type: str,
    object_key: str = "",
    result: dict | None = None,
    user=None,
    detail: dict | None = None,
) -> LearningEvent:
    """Append one event about `enrollment` (its learner unless `user` says otherwise)."""
    event = _event(
        enrollment=enrollment,
        verb=verb,
        object_type=object_type,
        object_key=object_key,
        result=result,
        user=user,
    )
    event.save()
    publish_recorded([Recorded(event=event, enrollment=enrollment, detail=detail)])
    return event


class EventBatch:
    """Events of one service call, appended with one INSERT by `save()`."""

    def __init__(self):
        self.events: list[LearningEvent] = []
        self.records: list[tuple] = []

    def add(self, *, detail: dict | None = None, **fields) -> None:
        event = _event(**fields)
        self.events.append(event)
        self.records.append((event, fields["enrollment"], detail))

    def save(self) -> None:
        """Insert the events (one INSERT) and publish them as one LearningRecorded."""
        if self.events:
            LearningEvent.objects.bulk_create(self.events)
            records = [Recorded(event=e, enrollment=en, detail=d) for e, en, d in self.records]
            self.events, self.records = [], []
            publish_recorded(records)
