"""Two reviewers claiming the same submission at the same moment: one wins. Run on PostgreSQL.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/hprac .venv/bin/pytest tests/practice/test_concurrency.py
"""

import threading

import pytest
from django.db import connection, connections

from agencies.models import Role
from practice import services
from practice.models import Submission
from tests.builders import make_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_of_eight_reviewers_claiming_at_once_exactly_one_holds_the_submission(world, enrollment):
    submission = services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
    )[0]
    reviewers = [world.a_trainer, world.a_admin] + [
        make_member(world.a, Role.TRAINER, email=f"reviewer{i}@a.gov") for i in range(6)
    ]
    barrier = threading.Barrier(len(reviewers))
    won, errors = [], []

    def claim(reviewer):
        try:
            barrier.wait()
            if services.submission_claim(reviewer=reviewer, submission_id=submission.pk):
                won.append(reviewer.pk)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(won) == 1
    assert Submission.objects.get().claimed_by_id == won[0]


def test_four_recording_runs_at_once_write_each_late_reminder_once(world, enrollment):
    """The scan's runs may overlap (a slow one and the next minute's): neither sees the other's
    uncommitted rows through the `~Exists`, and the unique key still keeps one of each."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from practice.services.late_reviews import late_reviews_record
    from reminders.models import ReminderLog

    with time_machine.travel(timezone.now() - timedelta(hours=80), tick=False):
        submission = services.submission_submit(
            enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
        )[0]
    barrier = threading.Barrier(4)
    written, errors = [], []

    def record():
        try:
            barrier.wait()
            written.extend(late_reviews_record())
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    logs = ReminderLog.objects.filter(kind="review_late", object_id=submission.pk)
    assert sorted(written) == sorted(logs.values_list("pk", flat=True))
    assert sorted(logs.values_list("recipient_id", flat=True)) == sorted(
        [world.a_admin.pk, world.a_trainer.pk]
    )
    assert late_reviews_record() == []
