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
  the enrollment is not completed), the step the session names (`step_key`) is credited, or,
  when it names none, the first live-session step of their version not yet credited in this
  period. A named step already credited, or missing from the person's version (an older one),
  credits nothing more; the last step done completes the course and issues the
  certificate through the usual path. A person not enrolled gets the event only.
- A session linked to a learning path names the path's courses in order (`course_ids`): each
  person's step credit goes to the first of their enrollments in those courses (not completed)
  whose version still has a live-session step to credit, else the event goes with their first
  enrollment in the path; someone enrolled in none of them gets the event only.
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


def _credit_live_step(enrollment: Enrollment, step_key: str = "") -> str | None:
    """Credit the live-session step `step_key` of the locked enrollment's version, or with no
    key the first one not yet credited in this period; its key, or None when nothing was
    credited (none left, the named step already credited or not in this version)."""
    plan = outline(enrollment.version.snapshot)
    if not plan.live:
        return None
    if step_key:
        if step_key not in plan.live:
            return None
        _progress, created = LessonProgress.objects.get_or_create(
            enrollment=enrollment, period=enrollment.period, lesson_key=live_credit_key(step_key)
        )
        return step_key if created else None
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


def _has_step_to_credit(enrollment: Enrollment) -> bool:
    plan = outline(enrollment.version.snapshot)
    if enrollment.is_completed or not plan.live:
        return False
    credited = LessonProgress.objects.filter(
        enrollment=enrollment,
        period=enrollment.period,
        lesson_key__in=[live_credit_key(k) for k in plan.live],
    ).count()
    return credited < len(plan.live)


def _chosen_enrollments(course_ids: list[int], user_ids: list[int]) -> list[Enrollment]:
    """One enrollment per person among `course_ids` (in that order): the first that still has
    a live-session step to credit, else the first."""
    if len(course_ids) == 1:
        return list(
            Enrollment.objects.filter(course_id=course_ids[0], user_id__in=user_ids).order_by("pk")
        )
    rank = {course_id: i for i, course_id in enumerate(course_ids)}
    by_user: dict[int, list[Enrollment]] = {}
    rows = Enrollment.objects.filter(course_id__in=course_ids, user_id__in=user_ids).select_related(
        "version"
    )
    for enrollment in sorted(rows, key=lambda e: (rank[e.course_id], e.pk)):
        by_user.setdefault(enrollment.user_id, []).append(enrollment)
    return [
        next((e for e in mine if _has_step_to_credit(e)), mine[0])
        for _user_id, mine in sorted(by_user.items())
    ]


def _record_enrolled(enrollment: Enrollment, key: str, title: str, step_key: str = "") -> None:
    enrollment = _lock(enrollment)
    before = EnrollmentState.of(enrollment)
    step = None if enrollment.is_completed else _credit_live_step(enrollment, step_key)
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
    *,
    session_id: int,
    title: str,
    course_id: int | None,
    user_ids: Iterable[int],
    course_ids: Iterable[int] = (),
    step_key: str = "",
) -> int:
    """Record that the people `user_ids` attended the live session `session_id` (see the
    module's docstring); returns how many were new. `course_id`: the session's course;
    `course_ids`: instead, the courses of the session's learning path, in order; `step_key`:
    the live-session step of the course the session credits (default: the next one). Three
    queries when nobody is enrolled in the course, plus a few per enrolled person."""
    key = live_session_key(session_id)
    wanted = {int(pk) for pk in user_ids}
    if not wanted:
        return 0
    with transaction.atomic():
        new = sorted(wanted - _already_attended(key, wanted))
        if not new:
            return 0
        path_courses = list(course_ids)
        courses = path_courses or ([course_id] if course_id is not None else [])
        named = "" if path_courses else step_key  # a path's session names no step
        enrollments = _chosen_enrollments(courses, new) if courses else []
        for enrollment in enrollments:
            _record_enrolled(enrollment, key, title, named)
        enrolled = {e.user_id for e in enrollments}
        _record_not_enrolled([u for u in new if u not in enrolled], key, title, course_id)
    return len(new)
