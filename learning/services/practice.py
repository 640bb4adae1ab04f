"""Practice tasks as learning: one event per submission and review, and the step's credit.

`practice` owns submissions and reviews and calls these services in the transaction that
changes them; learning imports nothing of practice and knows a task only by its key in the
enrollment's version.

- `practice_event_record`: the `practice_submitted` / `practice_returned` event (object type
  `practice_task`, object key the task key, `result` what practice says: attempt, points).
- `practice_pass`: the `practice_passed` event and the step's credit (a LessonProgress row keyed
  `practice:<task key>` in the enrollment's period). The last step done completes the course
  and issues the certificate through the usual path. Idempotent: a second pass of the same
  task in the same period writes nothing more.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..content import outline, practice_credit_key
from ..events import EnrollmentState
from ..models import Enrollment, LessonProgress, Verb
from .enrollment import _advance_and_publish, _lock
from .events import EventBatch, event_record

OBJECT_TYPE = "practice_task"
VERBS = {Verb.PRACTICE_SUBMITTED, Verb.PRACTICE_RETURNED}


def _task_in_version(enrollment: Enrollment, task_key: str) -> None:
    if task_key not in outline(enrollment.version.snapshot).practice:
        raise ValidationError(_("This practice task is not part of the course."))


def practice_event_record(
    *, enrollment: Enrollment, verb: str, task_key: str, result: dict
) -> None:
    """Append a submitted or returned event about the learner's task (the learner's event, as
    every learning event is; the reviewer is in the practice app's review row)."""
    if verb not in VERBS:
        raise ValueError(verb)
    event_record(
        enrollment=enrollment,
        verb=verb,
        object_type=OBJECT_TYPE,
        object_key=task_key,
        result=result,
    )


def practice_pass(*, enrollment: Enrollment, task_key: str, result: dict) -> bool:
    """Credit the passed practice task of the enrollment's version (see the module docstring);
    returns whether the course is completed."""
    with transaction.atomic():
        enrollment = _lock(enrollment)
        _task_in_version(enrollment, task_key)
        before = EnrollmentState.of(enrollment)
        _progress, created = LessonProgress.objects.get_or_create(
            enrollment=enrollment,
            period=enrollment.period,
            lesson_key=practice_credit_key(task_key),
        )
        if not created:
            return enrollment.is_completed
        log = EventBatch()
        log.add(
            enrollment=enrollment,
            verb=Verb.PRACTICE_PASSED,
            object_type=OBJECT_TYPE,
            object_key=task_key,
            result=result,
        )
        return _advance_and_publish(enrollment, before, log)
