"""Races that only a real database with row locks can show: run on PostgreSQL.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/pytest tests/learning/test_concurrency.py
"""

import threading

import pytest
from django.db import connection, connections

from learning import services
from learning.models import LearningEvent, LessonProgress, QuizAttempt, Verb
from tests.builders import right_answers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(target, count=2):
    """Run `target` in `count` threads released at the same moment; return their outcomes."""
    barrier = threading.Barrier(count)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(target())
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_submissions_of_one_attempt_record_one(enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    answers = right_answers(attempt)
    outcomes = run_together(
        lambda: services.attempt_submit(
            attempt=QuizAttempt.objects.get(pk=attempt.pk), answers=answers
        ),
        count=4,
    )
    assert all(isinstance(o, QuizAttempt) for o in outcomes), outcomes
    assert {o.submitted_at for o in outcomes} == {
        QuizAttempt.objects.get(pk=attempt.pk).submitted_at
    }
    assert LearningEvent.objects.filter(verb=Verb.ATTEMPT_SUBMITTED).count() == 1
    assert LearningEvent.objects.filter(verb=Verb.COURSE_COMPLETED).count() == 0


def test_two_mark_done_clicks_leave_one_row(enrollment):
    outcomes = run_together(
        lambda: services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai"), count=4
    )
    assert all(isinstance(o, LessonProgress) for o in outcomes), outcomes
    assert LessonProgress.objects.count() == 1
    assert LearningEvent.objects.filter(verb=Verb.LESSON_COMPLETED).count() == 1


def test_two_starts_leave_one_open_attempt(enrollment):
    outcomes = run_together(
        lambda: services.attempt_start(enrollment=enrollment, quiz_key="check"), count=3
    )
    assert len({o.pk for o in outcomes}) == 1, outcomes
    assert QuizAttempt.objects.count() == 1


def test_two_enrollments_at_once_make_one(world, course):
    outcomes = run_together(
        lambda: services.enrollment_create(user=world.a_learner, course=course), count=3
    )
    assert len({getattr(o, "pk", o) for o in outcomes}) == 1, outcomes
