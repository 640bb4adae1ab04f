"""Studio fixtures: a trainer in agency B (the shared world has none) and a course per agency."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Role
from courses import services
from tests.builders import build_course, make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def b_trainer(world):
    return make_member(world.b, Role.TRAINER, world.branch, email="trainer@b.gov")


@pytest.fixture
def course_b(world, b_trainer):
    """Agency B's published course, with an attachment on its first lesson."""
    course = build_course(b_trainer, world.b, slug="b-course", title="B course", publish=True)
    lesson = course.lessons.order_by("pk").first()
    services.attachment_add(
        actor=b_trainer, lesson=lesson, upload=SimpleUploadedFile("diagram.png", PNG)
    )
    return course


def parts(course):
    """The ids of one of each kind of object in a course, for building studio URLs."""
    lesson = course.lessons.order_by("pk").first()
    question = course.questions.order_by("pk").first()
    attachment = lesson.attachments.first()
    return {
        "course_id": course.pk,
        "module_id": lesson.module_id,
        "lesson_id": lesson.pk,
        "quiz_id": question.quiz_id,
        "question_id": question.pk,
        "attachment_id": attachment.pk if attachment else 0,
        "number": course.current_version.number if course.current_version_id else 1,
    }
