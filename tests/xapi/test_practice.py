"""xAPI statements of practice tasks: submitted, then failed (returned) or passed on a review,
with the rubric's scaled score, never the reviewer's identity, written with the learning event."""

import json

import pytest
from django.db import transaction

from learning import services as learning
from learning.models import LearningEvent
from practice import services as practice
from tests.builders import with_practice_task
from xapi import statements
from xapi.models import Activity, OutboxStatement

from .conftest import configure
from .test_statements import assert_valid_statement, bodies

pytestmark = pytest.mark.django_db

TASK = "rewrite-prompt"
COURSE_SLUG = "intro-ai"  # tests.builders.build_course
PASS = {"removed": "1", "justified": "1"}  # 2 + 1 = 3 of 4 points: the pass mark
RETURN = {"removed": "0", "justified": "2"}  # 0 + 2 = 2 of 4


@pytest.fixture
def enrollment(world, course, lrs_a):
    course = with_practice_task(world.a_trainer, course)
    return learning.enrollment_create(user=world.a_learner, course=course)


def submit(enrollment, text="My rewrite"):
    submission = practice.submission_for(enrollment=enrollment, task_key=TASK)
    return practice.submission_submit(
        enrollment=enrollment, task_key=TASK, text=text, base_version=submission.draft_version
    )[0]


def grade(reviewer, submission, levels):
    assert practice.submission_claim(reviewer=reviewer, submission_id=submission.pk)
    practice.submission_review(
        reviewer=reviewer,
        submission_id=submission.pk,
        levels=levels,
        comments={},
        comment="Reviewed by trainer@a.gov",
    )


def practice_statements(agency):
    task_iri = statements.practice_task_iri(COURSE_SLUG, TASK)
    return [s for s in bodies(agency) if s["object"]["id"] == task_iri]


def test_submitted_failed_and_passed_carry_the_scaled_score_and_a_stable_iri(
    world, course, enrollment
):
    submission = submit(enrollment)
    grade(world.a_trainer, submission, RETURN)
    submit(enrollment, "Better")
    grade(world.a_trainer, submission, PASS)

    sent = practice_statements(world.a)
    assert [s["verb"]["display"]["en-US"] for s in sent] == [
        "submitted",
        "failed",
        "submitted",
        "passed",
    ]
    for s in sent:
        assert_valid_statement(s)
        assert s["object"]["id"] == f"{statements.course_iri(course.slug)}/practice-tasks/{TASK}"
        assert s["object"]["definition"] == {
            "type": "http://adlnet.gov/expapi/activities/performance",
            "name": {"en": "Rewrite a prompt"},
        }
        assert s["context"]["contextActivities"]["parent"] == [
            {"objectType": "Activity", "id": statements.course_iri(course.slug)}
        ]
    submitted, failed, resubmitted, passed = sent
    assert submitted["verb"]["id"] == "http://activitystrea.ms/schema/1.0/submit"
    assert "result" not in submitted
    attempt = f"{statements.iri_base()}/extensions/attempt"
    assert [s["context"]["extensions"][attempt] for s in sent] == [1, 1, 2, 2]
    assert failed["result"] == {
        "success": False,
        "completion": True,
        "score": {"scaled": 0.5, "raw": 2, "min": 0, "max": 4},
    }
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["score"] == {"scaled": 0.75, "raw": 3, "min": 0, "max": 4}
    assert passed["result"]["success"] is True


def test_the_reviewer_is_never_named(world, enrollment):
    submission = submit(enrollment)
    grade(world.a_trainer, submission, PASS)
    raw = " ".join(OutboxStatement.objects.values_list("body", flat=True))
    assert "trainer@a.gov" not in raw
    assert statements.actor_name(lrs_salt(world), world.a_trainer.pk) not in raw
    assert "Reviewed by" not in raw  # the review's comment stays in Academy


def lrs_salt(world):
    from xapi.models import LrsConfig

    return LrsConfig.objects.get(agency=world.a).actor_salt


def test_practice_statements_roll_back_with_the_submission(world, enrollment):
    before = OutboxStatement.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(enrollment)
        assert OutboxStatement.objects.count() == before + 1  # in the same transaction
        raise RuntimeError("the request failed after the submission")
    assert OutboxStatement.objects.count() == before
    assert not LearningEvent.objects.filter(verb="practice_submitted").exists()


def test_practice_is_sent_only_when_the_agency_chose_it(world, enrollment):
    others = [a for a in Activity.values if a != Activity.PRACTICE]
    configure(world, world.a, world.a_admin, activities=others)
    submission = submit(enrollment)
    grade(world.a_trainer, submission, RETURN)
    assert practice_statements(world.a) == []
    # Quiz results are chosen, yet a practice review's "failed" is not a quiz result.
    assert not any(json.loads(b)["verb"]["id"].endswith("failed") for b in all_bodies())


def all_bodies():
    return OutboxStatement.objects.values_list("body", flat=True)
