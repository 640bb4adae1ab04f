"""Quiz attempts: drawing, resuming, grading on the server, limits and time limits.

Drafts: while an attempt is open, `answers` holds the learner's draft (saved on every change
by the attempt page, and by its "Review answers" step), so answers survive a reload, a lost
connection or a sign-in again. Submitting grades what is sent, or else the draft; a submission
with no answer at all is refused and the attempt stays open (it is not used up).

Time limits: an attempt with a time limit has a `deadline`; a submission received after the
deadline plus GRACE is refused (ValidationError, nothing stored). The expired attempt stays as it
is until the learner starts the next attempt, which first closes it with no answers (score 0,
failed; it counts toward the attempt limit).
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import QuestionType

from ..content import objective_cover, outline, question_credit, questions_by_key
from ..events import EnrollmentState
from ..models import Enrollment, EnrollmentStatus, QuizAttempt, Verb
from .enrollment import _advance_and_publish, _lock
from .events import EventBatch, event_record

GRACE = datetime.timedelta(seconds=30)
_random = random.SystemRandom()


def attempt_is_expired(attempt: QuizAttempt, *, now=None) -> bool:
    """Is this open attempt past its deadline (plus the grace for network delays)?"""
    return (
        attempt.submitted_at is None
        and attempt.deadline is not None
        and (now or timezone.now()) > attempt.deadline + GRACE
    )


def _draw(quiz: dict) -> list[dict]:
    pool = quiz["questions"]
    count = min(quiz["questions_per_attempt"], len(pool))
    chosen = objective_cover(pool, count, _random)
    rest = [i for i in range(len(pool)) if i not in chosen]
    chosen += _random.sample(rest, count - len(chosen))
    if quiz.get("shuffle_questions"):
        _random.shuffle(chosen)
    else:
        chosen.sort()
    drawn = []
    for index in chosen:
        keys = [c["key"] for c in pool[index]["choices"]]
        if quiz.get("shuffle_choices"):
            _random.shuffle(keys)
        drawn.append({"question_key": pool[index]["key"], "choice_keys": keys})
    return drawn


def _close_expired(attempt: QuizAttempt) -> None:
    attempt.submitted_at = timezone.now()
    attempt.answers = {d["question_key"]: [] for d in attempt.drawn}
    attempt.score, attempt.passed = 0, False
    attempt.save(update_fields=["submitted_at", "answers", "score", "passed"])
    event_record(
        enrollment=attempt.enrollment,
        verb=Verb.ATTEMPT_SUBMITTED,
        object_type="quiz",
        object_key=attempt.quiz_key,
        result={"score": 0, "passed": False, "attempt": attempt.number, "expired": True},
    )


def attempt_start(*, enrollment: Enrollment, quiz_key: str) -> QuizAttempt:
    """The learner's open attempt at a quiz, or a new one with its questions drawn and ordered.

    Resumes an open attempt that is still in time. Refuses (ValidationError) a quiz that is not
    in the enrollment's version, a quiz already passed, and attempts beyond `max_attempts`
    (0: unlimited). The draw samples `questions_per_attempt` questions from the pool and
    shuffles questions and choices as the quiz says; the result is stored on the attempt.
    """
    with transaction.atomic():
        enrollment = _lock(enrollment)
        quiz = outline(enrollment.version.snapshot).quizzes.get(quiz_key)
        if quiz is None:
            raise ValidationError(_("This quiz is not part of the course."))
        attempts = list(
            QuizAttempt.objects.filter(
                enrollment=enrollment, period=enrollment.period, quiz_key=quiz_key
            ).order_by("number")
        )
        open_attempt = next((a for a in attempts if a.is_open), None)
        if open_attempt is not None:
            if not attempt_is_expired(open_attempt):
                return open_attempt
            open_attempt.enrollment = enrollment
            _close_expired(open_attempt)
        if any(a.passed for a in attempts):
            raise ValidationError(_("You have already passed this quiz."))
        limit = quiz.get("max_attempts") or 0
        if limit and len(attempts) >= limit:
            raise ValidationError(
                _("You have used all %(limit)d attempts allowed for this quiz.") % {"limit": limit}
            )
        now = timezone.now()
        minutes = quiz.get("time_limit_minutes")
        attempt = QuizAttempt.objects.create(
            enrollment=enrollment,
            period=enrollment.period,
            quiz_key=quiz_key,
            version=enrollment.version,
            number=(attempts[-1].number if attempts else 0) + 1,
            drawn=_draw(quiz),
            deadline=now + datetime.timedelta(minutes=minutes) if minutes else None,
        )
        log = EventBatch()
        log.add(
            enrollment=enrollment,
            verb=Verb.ATTEMPT_STARTED,
            object_type="quiz",
            object_key=quiz_key,
            result={"attempt": attempt.number},
        )
        if enrollment.status == EnrollmentStatus.NOT_STARTED:
            _advance_and_publish(enrollment, EnrollmentState.of(enrollment), log)
        log.save()
    return attempt


def _clean_answers(attempt: QuizAttempt, quiz: dict, answers: dict) -> dict:
    """Every drawn question with its chosen keys; refuses anything not offered in the attempt."""
    if not isinstance(answers, dict):
        raise ValidationError(_("The answers could not be read."))
    drawn = {d["question_key"]: d["choice_keys"] for d in attempt.drawn}
    questions = questions_by_key(quiz)
    cleaned = {}
    for question_key, chosen in answers.items():
        if question_key not in drawn:
            raise ValidationError(
                _(
                    "An answer was sent for a question that is not in this "
                    "attempt. Nothing was saved; please try again."
                )
            )
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list | tuple) or not all(isinstance(c, str) for c in chosen):
            raise ValidationError(_("The answers could not be read."))
        if not set(chosen) <= set(drawn[question_key]):
            raise ValidationError(
                _(
                    "An answer was sent with a choice that does not belong to "
                    "its question. Nothing was saved; please try again."
                )
            )
        question = questions.get(question_key)
        if question and question["type"] != QuestionType.MULTIPLE and len(set(chosen)) > 1:
            raise ValidationError(_("Choose only one answer for a single-choice question."))
        cleaned[question_key] = sorted(set(chosen))
    return {key: cleaned.get(key, []) for key in drawn}


def attempt_save_draft(*, attempt: QuizAttempt, answers: dict) -> dict:
    """Keep the learner's answers so far on their open attempt; returns the cleaned draft.

    The same checks as a submission (only drawn questions and their own choices, one choice
    for a single-choice question), and refused once the attempt is submitted or out of time.
    One UPDATE, conditioned on the attempt still being open, so it never overwrites a
    submission that won a race with it.
    """
    if attempt.submitted_at is not None:
        raise ValidationError(_("This attempt was already submitted."))
    if attempt_is_expired(attempt):
        raise ValidationError(
            _("The time limit for this attempt has passed, so the answers were not accepted.")
        )
    quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
    cleaned = _clean_answers(attempt, quiz, answers)
    updated = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        answers=cleaned
    )
    if not updated:
        raise ValidationError(_("This attempt was already submitted."))
    attempt.answers = cleaned
    return cleaned


def answered_count(answers: dict) -> int:
    """How many questions of a (draft or cleaned) answer dict have at least one choice."""
    return sum(1 for chosen in (answers or {}).values() if chosen)


def attempt_grade(quiz: dict, answers: dict) -> tuple[int, dict, dict]:
    """Score, {question_key: fully right?} and {question_key: credit} for cleaned answers.

    Each question is worth one point; a multiple-choice question with partial credit may earn
    part of it (`question_credit`). The score is the percent of the points earned, rounded.
    Only the questions that earned part of their point appear in the credit dict.
    """
    questions = questions_by_key(quiz)
    credit = {
        key: question_credit(questions[key], chosen)
        for key, chosen in answers.items()
        if key in questions
    }
    results = {key: value == 1 for key, value in credit.items()}
    partial = {key: round(value, 4) for key, value in credit.items() if 0 < value < 1}
    score = round(100 * sum(credit.values()) / len(credit)) if credit else 0
    return score, results, partial


def attempt_submit(*, attempt: QuizAttempt, answers: dict) -> QuizAttempt:
    """Grade an attempt on the server and store it; the first submission is the only one.

    `answers` is {question_key: [choice_key, ...]}. Refuses (ValidationError, nothing stored)
    questions not drawn for the attempt, choices of another question, several choices for a
    single-choice question, submissions after the time limit, and a submission that answers
    no question at all (the attempt stays open, not used up). A second submission of the
    same attempt (double click, two tabs, replay) returns the first result and records nothing.
    Grading uses the version the attempt was drawn from. Then completes the course if done.
    """
    with transaction.atomic():
        # Lock order as everywhere: the enrollment, then its attempts.
        enrollment = _lock(Enrollment(pk=attempt.enrollment_id))
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=attempt.pk)
        )
        attempt.enrollment = enrollment
        if attempt.submitted_at is not None:
            return attempt
        if attempt_is_expired(attempt):
            raise ValidationError(
                _("The time limit for this attempt has passed, so the answers were not accepted.")
            )
        if attempt.period != attempt.enrollment.period:
            raise ValidationError(
                _("This attempt belongs to an earlier round of this training; start a new attempt.")
            )
        quiz = outline(attempt.version.snapshot).quizzes[attempt.quiz_key]
        cleaned = _clean_answers(attempt, quiz, answers)
        if not answered_count(cleaned):
            raise ValidationError(
                _(
                    "You have not answered any question, so nothing was submitted and this "
                    "attempt still counts as not used."
                )
            )
        score, results, partial = attempt_grade(quiz, cleaned)
        attempt.answers, attempt.score = cleaned, score
        attempt.passed = score >= quiz["pass_mark"]
        attempt.submitted_at = timezone.now()
        attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
        log = EventBatch()
        log.add(
            enrollment=enrollment,
            verb=Verb.ATTEMPT_SUBMITTED,
            object_type="quiz",
            object_key=attempt.quiz_key,
            result={"score": score, "passed": attempt.passed, "attempt": attempt.number},
            detail={"questions": results, **({"credit": partial} if partial else {})},
        )
        _advance_and_publish(enrollment, EnrollmentState.of(enrollment), log)
    return attempt
