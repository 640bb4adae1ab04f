import pytest

from agencies.demo import seed_people
from learning.models import Enrollment
from practice.demo import seed_practice
from practice.models import CourseReviewer, Submission
from practice.selectors import late_q, review_queue
from practice.services.late_reviews import late_reviews_record
from reminders.models import ReminderLog
from tests.builders import starter_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    seed_people()
    starter_course("protecting-sensitive-information")
    starter_course("checking-ai-output")
    return seed_practice()


def test_the_demo_has_a_submission_in_every_state_once(seeded):
    assert seeded == {"submissions": 6, "passed": 0, "reviewers": 1}
    states = sorted(Submission.objects.values_list("status", flat=True))
    assert states == ["claimed", "draft", "passed", "returned", "submitted", "submitted"]
    assert Submission.objects.get(status="draft").user.email == "learner@demo.gov"
    passed = Submission.objects.get(status="passed")
    assert Enrollment.objects.get(pk=passed.enrollment_id).progress_percent > 0
    assert seed_practice() == {"submissions": 0, "passed": 0, "reviewers": 0}
    assert Submission.objects.count() == 6
    assert CourseReviewer.objects.count() == 1


def test_the_demo_names_a_reviewer_of_the_practice_course(seeded):
    named = CourseReviewer.objects.get()
    assert (named.agency.slug, named.course.slug, named.user.email) == (
        "demo-agency",
        "protecting-sensitive-information",
        "trainer@demo.gov",
    )


def test_the_demo_has_one_late_submission_in_the_reviewers_queue_and_reminded(seeded):
    from django.utils import timezone

    from accounts.models import User

    late = Submission.objects.filter(late_q(timezone.now()), status="submitted")
    assert late.count() == 1
    submission = late.get()
    assert submission.course.slug == "protecting-sensitive-information"
    trainer = User.objects.get(email="trainer@demo.gov")
    queue = review_queue(trainer)
    assert queue[0]["id"] == submission.pk  # oldest first
    # What reminders' scan does within a minute of `make run`: one reminder, to the named
    # reviewer only (not the agency admin, who no longer reviews that course).
    assert len(late_reviews_record()) == 1
    log = ReminderLog.objects.get(kind="review_late")
    assert (log.object_id, log.recipient.email) == (submission.pk, "trainer@demo.gov")
    seed_practice()
    assert late_reviews_record() == []
    assert Submission.objects.filter(late_q(timezone.now())).count() == 1
