"""Enrollments in bulk, for assignments: a constant number of queries per batch and course."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from ..events import Recorded, publish_recorded, publish_states_changed, states_for
from ..models import Enrollment, EnrollmentStatus, LearningEvent, Verb
from .terms import assignment_terms


def _lock_ids(enrollments) -> list[int]:
    return list(enrollments.select_for_update().order_by("pk").values_list("pk", flat=True))


def _update_grouped(wanted: dict[int, tuple[bool, datetime.date | None]]) -> None:
    """Set (required, due_on) per enrollment with one UPDATE per distinct pair."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, terms in wanted.items():
        groups[terms].append(pk)
    for (required, due_on), ids in groups.items():
        Enrollment.objects.filter(pk__in=ids).update(
            required=required, due_on=due_on, updated_at=timezone.now()
        )


def enrollments_assign(
    *,
    agency_id: int,
    course,
    members: list[tuple[int, int | None]],
    required: bool,
    due_on: datetime.date | None,
    context: dict | None = None,
) -> dict[int, int]:
    """Enroll each (user id, unit id) of `members` in `course` (its current version) with the
    assignment's terms, or apply the assignment rule (`terms.assignment_terms`) to the
    enrollment they already have. Appends `enrolled` learning events (with `context` in their
    result) for new enrollments, publishes one EnrollmentsChanged, and returns
    {user id: enrollment id}. Safe to retry: the unique enrollment per person and course turns a
    repeated insert into a no-op. The caller checks that the course is available."""
    units = dict(members)
    with transaction.atomic():
        enrolled = Enrollment.objects.filter(course=course, user_id__in=units)
        locked = _lock_ids(enrolled)
        before = states_for(Enrollment.objects.filter(pk__in=locked)) if locked else {}
        existing_users = set()
        if locked:
            existing_users = set(
                Enrollment.objects.filter(pk__in=locked).values_list("user_id", flat=True)
            )
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    user_id=uid,
                    course=course,
                    version_id=course.current_version_id,
                    agency_id=agency_id,
                    unit_id=unit_id,
                    due_on=due_on,
                    required=required,
                )
                for uid, unit_id in units.items()
                if uid not in existing_users
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        ids = dict(enrolled.values_list("user_id", "pk"))
        events = LearningEvent.objects.bulk_create(
            [
                LearningEvent(
                    user_id=uid,
                    agency_id=agency_id,
                    verb=Verb.ENROLLED,
                    object_type="course",
                    object_key=course.slug,
                    course_id=course.pk,
                    result={"version": course.current_version.number, **(context or {})},
                )
                for uid in ids
                if uid not in existing_users
            ],
            batch_size=1000,
        )
        # The new enrollments as the subscribers need them (no query: ids, course and version
        # are known here).
        publish_recorded(
            Recorded(
                event=event,
                enrollment=Enrollment(
                    pk=ids[event.user_id],
                    user_id=event.user_id,
                    agency_id=agency_id,
                    course=course,
                    version=course.current_version,
                ),
            )
            for event in events
        )
        wanted = {}
        for pk, state in before.items():
            terms = assignment_terms(
                required_now=state.required,
                due_now=state.due_on,
                completed=state.status == EnrollmentStatus.COMPLETED,
                required=required,
                due_on=due_on,
            )
            if terms != (state.required, state.due_on):
                wanted[pk] = terms
        _update_grouped(wanted)
        publish_states_changed(before, states_for(enrolled))
    return ids


def enrollments_set_terms(*, wanted: dict[int, tuple[bool, datetime.date | None]]) -> int:
    """Set (required, due date) of open enrollments to exactly what is given, e.g. what the
    remaining assignments ask once one is removed; completed enrollments keep their history.
    Publishes one EnrollmentsChanged; returns how many changed."""
    with transaction.atomic():
        open_rows = Enrollment.objects.filter(pk__in=wanted).exclude(
            status=EnrollmentStatus.COMPLETED
        )
        locked = _lock_ids(open_rows)
        if not locked:
            return 0
        rows = Enrollment.objects.filter(pk__in=locked)
        before = states_for(rows)
        changed = {
            pk: wanted[pk]
            for pk, state in before.items()
            if (state.required, state.due_on) != wanted[pk]
        }
        _update_grouped(changed)
        if changed:
            publish_states_changed(before, states_for(rows))
    return len(changed)
