"""Partial credit in grading and the result page; draws that cover each objective (issue 15)."""

import random

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.models import Question
from learning import services
from learning.content import objective_cover, question_credit
from learning.models import LearningEvent, Verb
from learning.services.attempts import _draw, attempt_grade
from tests.builders import build_course

pytestmark = pytest.mark.django_db

RIGHT_AC = {
    "key": "q",
    "type": "multiple",
    "partial_credit": True,
    "choices": [
        {"key": "a", "correct": True},
        {"key": "b", "correct": False},
        {"key": "c", "correct": True},
        {"key": "d", "correct": False},
    ],
}


@pytest.mark.parametrize(
    ("chosen", "credit"),
    [
        (["a", "c"], 1.0),
        (["a"], 0.5),
        (["a", "b"], 0.0),
        (["a", "c", "b"], 0.5),
        (["a", "b", "c", "d"], 0.0),
        (["b"], 0.0),
        ([], 0.0),
    ],
)
def test_partial_credit_earns_a_share_per_right_choice_and_loses_one_per_wrong(chosen, credit):
    assert question_credit(RIGHT_AC, chosen) == credit


def test_without_partial_credit_a_question_is_all_or_nothing():
    question = {**RIGHT_AC, "partial_credit": False}
    assert question_credit(question, ["a"]) == 0.0
    assert question_credit(question, ["c", "a"]) == 1.0


def test_the_score_adds_the_shares():
    single = {"key": "s", "type": "single", "choices": [{"key": "x", "correct": True}]}
    quiz = {"questions": [RIGHT_AC, single]}
    score, results, partial = attempt_grade(quiz, {"q": ["a"], "s": ["x"]})
    assert score == 75
    assert results == {"q": False, "s": True}
    assert partial == {"q": 0.5}


def _pool(objectives_per_question):
    return [
        {
            "key": f"q{i}",
            "type": "single",
            "objectives": list(names),
            "choices": [{"key": "c1", "correct": True}, {"key": "c2", "correct": False}],
        }
        for i, names in enumerate(objectives_per_question)
    ]


def test_every_draw_tests_each_objective_the_pool_names():
    # eight questions, three objectives, each tested by one or two questions only
    pool = _pool([["a"], [], [], ["b"], [], [], ["c", "a"], []])
    quiz = {"questions": pool, "questions_per_attempt": 3, "shuffle_questions": True}
    for _ in range(200):
        drawn = {d["question_key"] for d in _draw(quiz)}
        assert len(drawn) == 3
        tested = {o for q in pool if q["key"] in drawn for o in q["objectives"]}
        assert tested == {"a", "b", "c"}


def test_a_draw_without_objectives_still_samples_the_whole_pool():
    pool = _pool([[]] * 6)
    quiz = {"questions": pool, "questions_per_attempt": 2, "shuffle_questions": False}
    seen = set()
    for _ in range(200):
        keys = [d["question_key"] for d in _draw(quiz)]
        assert keys == sorted(keys, key=lambda k: int(k[1:]))  # pool order when not shuffled
        seen.update(keys)
    assert seen == {q["key"] for q in pool}


def test_the_cover_never_picks_more_than_the_draw():
    pool = _pool([["a"], ["b"], ["c"], ["d"]])
    picked = objective_cover(pool, 2, random.Random(1))
    assert len(picked) == 2 and len(set(picked)) == 2


# --- end to end: a published course, an attempt, the result page -------------------------


@pytest.fixture
def partial_course(world):
    course = build_course(world.a_trainer, world.a)
    question = Question.objects.get(course=course, key="q-two")
    course_services.question_update(actor=world.a_trainer, question=question, partial_credit=True)
    quiz = question.quiz
    course_services.quiz_update(actor=world.a_trainer, quiz=quiz, questions_per_attempt=3)
    course_services.course_publish(actor=world.a_trainer, course=course)
    course.refresh_from_db()
    return course


def test_a_half_right_multiple_choice_answer_counts_half(world, partial_course, client_for):
    enrollment = services.enrollment_create(user=world.a_learner, course=partial_course)
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    choices = {c.text: c.key for c in Question.objects.get(key="q-two").choices.all()}
    one = {c.text: c.key for c in Question.objects.get(key="q-one").choices.all()}
    three = {c.text: c.key for c in Question.objects.get(key="q-three").choices.all()}
    answers = {"q-one": [one["A"]], "q-two": [choices["A"]], "q-three": [three["False"]]}
    attempt = services.attempt_submit(attempt=attempt, answers=answers)
    assert attempt.score == 83  # (1 + 0.5 + 1) / 3
    event = LearningEvent.objects.get(verb=Verb.ATTEMPT_SUBMITTED, user=world.a_learner)
    assert event.result["score"] == 83
    client = client_for(world.a_learner)
    page = client.get(reverse("learning:attempt_result", args=[attempt.pk])).content.decode()
    assert "partly right (50% of the point)" in page
    assert "Partial credit:" in page
