import pytest
from django.utils import timezone

from agencies.demo import seed_people
from learning.models import LearningEvent
from live.demo import seed_live_sessions
from live.models import LiveSession, Registration

pytestmark = pytest.mark.django_db


def test_demo_has_past_and_upcoming_sessions_with_attendance_once(mailoutbox):
    seed_people()
    assert seed_live_sessions() == 8
    now = timezone.now()
    assert LiveSession.objects.filter(ends_at__lt=now).count() == 3
    assert LiveSession.objects.filter(starts_at__gt=now).count() == 5
    assert Registration.objects.filter(status="attended").count() == 18
    assert LearningEvent.objects.filter(verb="attended").count() == 18
    positions = Registration.objects.filter(status="waitlisted").values_list(
        "waitlist_position", flat=True
    )
    assert sorted(positions) == [1, 2]
    assert seed_live_sessions() == 0
    assert LiveSession.objects.count() == 8
    assert mailoutbox == []


def test_demo_sessions_have_topics_and_one_is_open_to_every_agency():
    from courses.models import Topic

    Topic.objects.create(slug="prompting", name="Prompting")
    Topic.objects.create(slug="ai-basics", name="AI basics")
    seed_people()
    seed_live_sessions()
    clinic = LiveSession.objects.get(title="Prompting clinic")
    assert [t.slug for t in clinic.topics.all()] == ["prompting"]
    assert clinic.sharing == "requested"
    assert LiveSession.objects.filter(sharing="approved", ends_at__lt=timezone.now()).count() == 1
    assert LiveSession.objects.filter(topics__slug="ai-basics").count() == 4


def test_demo_course_has_an_authored_live_step_that_past_attendance_credited():
    from courses.models import Course, LiveStep
    from learning.content import live_credit_key
    from learning.models import LessonProgress
    from live.demo import LIVE_STEP_COURSE

    seed_people()
    seed_live_sessions()
    course = Course.objects.get(slug=LIVE_STEP_COURSE)
    assert list(LiveStep.objects.filter(course=course).values_list("key", flat=True)) == [
        "live-practice"
    ]
    steps = [m.get("live_sessions") for m in course.current_version.snapshot["modules"]]
    assert steps[1][0]["key"] == "live-practice"
    session = LiveSession.objects.get(course=course)
    assert session.ends_at < timezone.now()
    attended = set(
        Registration.objects.filter(session=session, status="attended").values_list(
            "user_id", flat=True
        )
    )
    credited = set(
        LessonProgress.objects.filter(
            enrollment__course=course, lesson_key=live_credit_key("live-practice")
        ).values_list("enrollment__user_id", flat=True)
    )
    assert len(attended) == 4 and credited == attended
