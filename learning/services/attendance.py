"""Attendance at a live session as learning: one `attended` event per person and session, and
credit for a live-session step of the session's course.

`live` owns sessions and registrations and calls `attendances_record` in the transaction that
marks people as attended (roster, CSV import, check-in); learning imports nothing of live and
knows a session only by the stable key and title live gives it.

- Idempotent: a person who already has the `attended` event for this session key gets nothing
  new, however often they are marked (roster saved twice, CSV then check-in).
- Un-marking (the host unticks someone) is not undone here: the event log is append-only and a
  step credit, like a lesson done, stays. Ticking the person again writes no second event.
- Step credit: when the session is linked to a course and the person is enrolled in it (and
  the enrollment is not completed), the first live-session step of their version not yet
  credited in this period is credited; the last step done completes the course and issues the
  certificate through the usual path. A person not enrolled gets the event only.
"""

from collections.abc import Iterable

from django.db import transaction

from agencies.models import Membership

from ..content import live_credit_key, outline
from ..events import EnrollmentState, Recorded, publish_recorded
from ..models import Enrollment, LearningEvent, LessonProgress, Verb
from .enrollment import _advance_and_publish, _lock
from .events import EventBatch

OBJECT_TYPE = "live_session"


def live_session_key(session_id: int) -> str:
    """The event's object key of a live session (stable: the session's id)."""
    return str(session_id)


def _already_attended(key: str, user_ids: set) -> set:
    return set(
        LearningEvent.objects.filter(
            verb=Verb.ATTENDED, object_type=OBJECT_TYPE, object_key=key, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def _credit_next_live_step(enrollment: Enrollment) -> str | None:
    """Credit the first live-session step of the locked enrollment's version not yet credited
    in this period; its key, or None when there is none left."""
    plan = outline(enrollment.version.snapshot)
    if not plan.live:
        return None
    credited = set(
        LessonProgress.objects.filter(
            enrollment=enrollment,
            period=enrollment.period,
            lesson_key__in=[live_credit_key(k) for k in plan.live],
        ).values_list("lesson_key", flat=True)
    )
    for key in plan.live:
        if live_credit_key(key) not in credited:
            LessonProgress.objects.create(
                enrollment=enrollment, period=enrollment.period, lesson_key=live_credit_key(key)
            )
            return key
    return None


def _record_enrolled(enrollment: Enrollment, key: str, title: str) -> None:
    enrollment = _lock(enrollment)
    before = EnrollmentState.of(enrollment)
    step = None if enrollment.is_completed else _credit_next_live_step(enrollment)
    log = EventBatch()
    log.add(
        enrollment=enrollment,
        verb=Verb.ATTENDED,
        object_type=OBJECT_TYPE,
        object_key=key,
        result={"title": title, "step": step},
    )
    if step is None:
        log.save()
    else:
        _advance_and_publish(enrollment, before, log)


def _record_not_enrolled(user_ids: list, key: str, title: str, course_id) -> None:
    agencies = dict(
        Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "agency_id")
    )
    events = [
        LearningEvent(
            user_id=user_id,
            agency_id=agencies[user_id],
            verb=Verb.ATTENDED,
            object_type=OBJECT_TYPE,
            object_key=key,
            course_id=course_id,
            result={"title": title, "step": None},
        )
        for user_id in user_ids
        if user_id in agencies  # someone with no agency has no learning record
    ]
    if events:
        LearningEvent.objects.bulk_create(events)
        publish_recorded([Recorded(event=e, enrollment=None) for e in events])


def attendances_record(
    *, session_id: int, title: str, course_id: int | None, user_ids: Iterable[int]
) -> int:
    """Record that the people `user_ids` attended the live session `session_id` (see the
    module's docstring); returns how many were new. Three queries when nobody is enrolled in
    the course, plus a few per enrolled person."""
    key = live_session_key(session_id)
    wanted = {int(pk) for pk in user_ids}
    if not wanted:
        return 0
    with transaction.atomic():
        new = sorted(wanted - _already_attended(key, wanted))
        if not new:
            return 0
        enrollments = []
        if course_id is not None:
            enrollments = list(
                Enrollment.objects.filter(course_id=course_id, user_id__in=new).order_by("pk")
            )
        for enrollment in enrollments:
            _record_enrolled(enrollment, key, title)
        enrolled = {e.user_id for e in enrollments}
        _record_not_enrolled([u for u in new if u not in enrolled], key, title, course_id)
    return len(new)
