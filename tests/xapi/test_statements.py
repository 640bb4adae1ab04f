"""Statement building: each verb, checked against the xAPI spec's required properties."""

import datetime
import json
import re
import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from courses import services as course_services
from learning import services as learning
from learning.models import LearningEvent
from tests.builders import finish_course, right_answers, simple_course, wrong_answers
from xapi import statements
from xapi.models import Activity, OutboxStatement

from .conftest import configure

pytestmark = pytest.mark.django_db

ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def bodies(agency):
    return [
        json.loads(row.body)
        for row in OutboxStatement.objects.filter(agency=agency).order_by("created_at", "id")
    ]


def assert_valid_statement(s):
    """The properties xAPI 1.0.3 (Data, 2.4) requires of a statement, and the types it fixes."""
    assert uuid.UUID(s["id"]).version == 5
    actor = s["actor"]
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis and len(ifis) == 1, "an Agent has exactly one inverse functional identifier"
    if "account" in actor:
        assert IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert IRI.match(s["verb"]["id"])
    assert all(isinstance(v, str) for v in s["verb"]["display"].values())
    assert s["object"]["objectType"] == "Activity" and IRI.match(s["object"]["id"])
    assert IRI.match(s["object"]["definition"]["type"])
    assert ISO8601.match(s["timestamp"])
    if "result" in s and "score" in s["result"]:
        score = s["result"]["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
    context = s.get("context", {})
    if "registration" in context:
        uuid.UUID(context["registration"])
    for key in ("id", "actor", "verb", "object"):
        assert key in s
    # What an LRS sets, never the sender.
    assert "stored" not in s and "authority" not in s and "version" not in s


def test_a_whole_course_gives_one_statement_per_step_in_order(world, course, lrs_a):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    for key in ("what-is-ai", "history", "prompts"):
        learning.lesson_complete(enrollment=enrollment, lesson_key=key)
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=right_answers(attempt))

    sent = bodies(world.a)
    verbs = [s["verb"]["display"]["en-US"] for s in sent]
    assert verbs == [
        "registered",
        *["experienced"] * 3,
        "attempted",
        "answered",
        "answered",
        "failed",
        "attempted",
        "answered",
        "answered",
        "passed",
        "completed",
        "earned",
    ]
    for s in sent:
        assert_valid_statement(s)
    base = "http://127.0.0.1:8000/xapi/courses/intro-ai"
    assert sent[0]["object"]["id"] == base
    assert sent[0]["object"]["definition"]["type"] == statements.ACTIVITY_TYPES["course"]
    assert sent[1]["object"]["id"] == f"{base}/lessons/what-is-ai"
    assert sent[1]["object"]["definition"]["name"] == {"en": "What is AI"}
    assert sent[1]["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": base}
    ]
    assert sent[4]["object"]["id"] == f"{base}/quizzes/check"
    failed, passed = sent[7], sent[11]
    assert failed["result"] == {
        "score": {"scaled": 0.0, "raw": 0, "min": 0, "max": 100},
        "success": False,
        "completion": True,
    }
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}
    assert passed["result"]["success"] is True
    assert sent[12]["result"]["completion"] is True
    assert sent[13]["object"]["id"] == f"{base}/certificate"
    # Every statement of the enrollment has the same registration; ids are all different.
    assert len({s["context"]["registration"] for s in sent}) == 1
    assert len({s["id"] for s in sent}) == len(sent)
    # The same person has the same opaque id in every statement, and no email anywhere.
    assert len({json.dumps(s["actor"]) for s in sent}) == 1
    assert "learner@a.gov" not in json.dumps(sent)


def test_question_answered_carries_the_result_never_the_answer_key(world, course, lrs_a):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    answered = [s for s in bodies(world.a) if s["verb"]["id"].endswith("/answered")]
    assert len(answered) == 2
    drawn = {d["question_key"] for d in attempt.drawn}
    for s in answered:
        assert s["result"] == {"success": True}  # no "response": not even the learner's answer
        definition = s["object"]["definition"]
        assert "correctResponsesPattern" not in definition and "choices" not in definition
        assert s["object"]["id"].rsplit("/", 1)[1] in drawn
        assert s["context"]["contextActivities"]["parent"][0]["id"].endswith("/quizzes/check")


def test_lesson_experienced_only_when_done_never_on_a_page_view(world, course, lrs_a, client_for):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    client = client_for(world.a_learner)
    response = client.get(reverse("learning:lesson", args=[course.slug, "what-is-ai"]))
    assert response.status_code == 200
    assert [s["verb"]["display"]["en-US"] for s in bodies(world.a)] == ["registered"]
    learning.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    learning.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")  # twice: once
    assert [s["verb"]["display"]["en-US"] for s in bodies(world.a)] == [
        "registered",
        "experienced",
    ]


def test_activity_ids_survive_a_republish(world, course, lrs_a):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    learning.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    course_services.course_publish(actor=world.a_trainer, course=course)
    enrollment = learning.enrollment_sync_version(enrollment=enrollment)
    assert enrollment.version.number == 2
    learning.lesson_complete(enrollment=enrollment, lesson_key="history")
    first, second = bodies(world.a)[1:3]
    assert first["object"]["id"].rsplit("/", 1)[0] == second["object"]["id"].rsplit("/", 1)[0]
    assert second["object"]["id"].endswith("/courses/intro-ai/lessons/history")
    assert first["context"]["registration"] == second["context"]["registration"]


def test_mbox_when_the_agency_chooses_it(world, course, lrs_a):
    configure(world, world.a, world.a_admin, endpoint=lrs_a.endpoint, actor_format="mbox")
    learning.enrollment_create(user=world.a_learner, course=course)
    assert bodies(world.a)[0]["actor"] == {"objectType": "Agent", "mbox": "mailto:learner@a.gov"}


def test_only_the_chosen_activities_are_sent(world, course, lrs_a):
    configure(
        world,
        world.a,
        world.a_admin,
        endpoint=lrs_a.endpoint,
        activities=[Activity.COMPLETIONS, Activity.CERTIFICATES],
    )
    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    assert [s["verb"]["display"]["en-US"] for s in bodies(world.a)] == ["completed", "earned"]


def test_no_statement_for_an_agency_without_an_lrs(world, lrs_a):
    b_course = simple_course(world.b_admin, world.b, slug="b-course", title="B course")
    finish_course(learning.enrollment_create(user=world.b_learner, course=b_course))
    assert LearningEvent.objects.filter(agency=world.b).count() == 5
    assert not OutboxStatement.objects.exists()


def test_statement_ids_and_bytes_are_deterministic(world, course, lrs_a):
    learning.enrollment_create(user=world.a_learner, course=course)
    row = OutboxStatement.objects.get()
    event = LearningEvent.objects.get(verb="enrolled", user=world.a_learner)
    assert row.statement_id == statements.statement_id(lrs_a.actor_salt, event.pk, 0)
    assert statements.freeze(json.loads(row.body)) == row.body


def test_outbox_rolls_back_with_the_learning_event(world, course, lrs_a):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    before = OutboxStatement.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        learning.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
        assert OutboxStatement.objects.count() == before + 1  # written in the same transaction
        raise RuntimeError("the learner's request failed after the step")
    assert OutboxStatement.objects.count() == before
    assert not LearningEvent.objects.filter(verb="lesson_completed").exists()


def test_assignment_batches_send_registered_for_every_new_enrollment(world, course, lrs_a):
    from learning.services.bulk import enrollments_assign

    enrollments_assign(
        agency_id=world.a.pk,
        course=course,
        members=[(world.a_learner.pk, world.data.pk), (world.a_ops_learner.pk, world.ops.pk)],
        required=True,
        due_on=None,
    )
    sent = bodies(world.a)
    assert [s["verb"]["display"]["en-US"] for s in sent] == ["registered", "registered"]
    assert len({s["actor"]["account"]["name"] for s in sent}) == 2


def test_an_lrs_adds_two_queries_to_a_quiz_submission_and_none_without(
    world, course, lrs_a, django_assert_num_queries
):
    """tests/learning/test_query_budgets.py pins 21 for agencies without an LRS (the answer is
    cached: no query); with one, reading its configuration and one INSERT for the statements."""
    from tests.learning.test_query_budgets import QUIZ_SUBMIT_COMPLETING, _ready_to_pass

    enrollment = learning.enrollment_create(
        user=world.a_learner, course=course, required=True, due_on=datetime.date(2031, 1, 1)
    )
    attempt = _ready_to_pass(enrollment)
    answers = right_answers(attempt)
    with django_assert_num_queries(QUIZ_SUBMIT_COMPLETING + 2):
        learning.attempt_submit(attempt=attempt, answers=answers)


def test_saving_the_settings_starts_statements_at_once_despite_the_cached_answer(
    world, course, django_capture_on_commit_callbacks
):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)  # caches "none"
    assert not OutboxStatement.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        config = configure(world, world.a, world.a_admin)
    learning.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    assert [s["verb"]["display"]["en-US"] for s in bodies(world.a)] == ["experienced"]
    with django_capture_on_commit_callbacks(execute=True):
        configure(world, world.a, world.a_admin, endpoint=config.endpoint, enabled=False)
    learning.lesson_complete(enrollment=enrollment, lesson_key="history")
    assert OutboxStatement.objects.count() == 1


def test_an_imported_completion_says_so_and_carries_its_own_date(world, course, lrs_a):
    from learning.services import HistoryRow, completions_import

    last_year = datetime.date.today() - datetime.timedelta(days=365)
    row = HistoryRow(
        line=2, email="learner@a.gov", course=course.slug, completed_on=last_year, score=91
    )
    completions_import(actor=world.a_admin, agency=world.a, rows=[row])
    sent = bodies(world.a)
    assert [s["verb"]["display"]["en-US"] for s in sent] == ["completed"]  # no certificate
    completed = sent[0]
    assert_valid_statement(completed)
    assert completed["timestamp"].startswith(last_year.isoformat())
    assert completed["result"] == {
        "completion": True,
        "score": {"scaled": 0.91, "raw": 91, "min": 0, "max": 100},
    }
    extensions = completed["context"]["extensions"]
    assert [value for key, value in extensions.items() if key.endswith("/extensions/imported")] == [
        True
    ]


def test_a_completion_in_academy_is_not_marked_imported(world, course, lrs_a):
    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    completed = next(s for s in bodies(world.a) if s["verb"]["display"]["en-US"] == "completed")
    assert "extensions" not in completed["context"]
