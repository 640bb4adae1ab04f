"""The append-only learning event log."""

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
    return event


class EventBatch:
    """Events of one service call, appended with one INSERT by `save()`."""

    def __init__(self):
        self.events: list[LearningEvent] = []

    def add(self, **fields) -> None:
        self.events.append(_event(**fields))

    def save(self) -> None:
        if self.events:
            LearningEvent.objects.bulk_create(self.events)
            self.events = []
