"""The append-only learning event log."""

from ..models import LearningEvent


def event_record(*, enrollment, verb: str, object_type: str, object_key: str = "",
                 result: dict | None = None, user=None) -> LearningEvent:
    """Append one event about `enrollment` (its learner unless `user` says otherwise)."""
    return LearningEvent.objects.create(
        user_id=user.pk if user is not None else enrollment.user_id,
        agency_id=enrollment.agency_id,
        verb=verb,
        object_type=object_type,
        object_key=str(object_key)[:120],
        course_id=enrollment.course_id,
        result=result or {},
    )
