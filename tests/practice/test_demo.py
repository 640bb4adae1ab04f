import pytest

from agencies.demo import seed_people
from learning.models import Enrollment
from practice.demo import seed_practice
from practice.models import Submission
from tests.builders import starter_course

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_submission_in_every_state_once():
    seed_people()
    starter_course("protecting-sensitive-information")
    starter_course("checking-ai-output")
    report = seed_practice()
    assert report == {"submissions": 6, "passed": 0}
    states = sorted(Submission.objects.values_list("status", flat=True))
    assert states == ["claimed", "draft", "passed", "returned", "submitted", "submitted"]
    assert Submission.objects.get(status="draft").user.email == "learner@demo.gov"
    passed = Submission.objects.get(status="passed")
    assert Enrollment.objects.get(pk=passed.enrollment_id).progress_percent > 0
    assert seed_practice() == {"submissions": 0, "passed": 0}
    assert Submission.objects.count() == 6
