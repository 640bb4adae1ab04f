"""Constraints that the database itself enforces."""

import pytest
from django.db import IntegrityError, transaction

from courses.models import Course, Lesson, Module, Question, Quiz
from tests.builders import build_course


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a)


def test_lesson_key_is_unique_within_a_course(course):
    module = course.modules.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.create(course=course, module=module, key="history", title="Again")


def test_same_lesson_key_is_allowed_in_another_course(world, course):
    other = build_course(world.a_trainer, world.a, slug="other-course")
    assert Lesson.objects.filter(key="history").count() == 2
    assert other.lessons.filter(key="history").exists()


def test_question_key_is_unique_within_a_course(course):
    quiz = course.quizzes.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(course=course, quiz=quiz, key="q-one", prompt="Again")


@pytest.mark.parametrize("pass_mark", [0, 101])
def test_pass_mark_must_be_between_1_and_100(course, pass_mark):
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.filter(course=course).update(pass_mark=pass_mark)


def test_a_video_needs_a_transcript(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.filter(key="history").update(video_url="https://player.vimeo.com/video/1")


def test_only_one_course_end_quiz(course):
    Quiz.objects.create(course=course, module=None, key="final", title="Final")
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.create(course=course, module=None, key="final-2", title="Final 2")


def test_module_key_unique_in_course(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Module.objects.create(course=course, key="basics", title="Dup")


def test_published_course_must_point_at_a_version(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(status="published")
