import io

import pytest
from django.core.management import call_command

from learning.models import (
    Certificate,
    Enrollment,
    EnrollmentStatus,
    LearningEvent,
    LessonProgress,
    QuizAttempt,
)

pytestmark = pytest.mark.django_db

MODELS = [Enrollment, LessonProgress, QuizAttempt, Certificate, LearningEvent]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_seed_demo_gives_realistic_progress_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    statuses = set(Enrollment.objects.values_list("status", flat=True))
    assert statuses == set(EnrollmentStatus.values)
    assert QuizAttempt.objects.filter(passed=False).exists() and first["Certificate"] > 0
    lee = Enrollment.objects.filter(user__email="learner@demo.gov")
    assert lee.filter(status=EnrollmentStatus.COMPLETED).count() == 1
    assert lee.filter(status=EnrollmentStatus.IN_PROGRESS).count() == 1
    assert lee.filter(required=True, status=EnrollmentStatus.NOT_STARTED).count() == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
