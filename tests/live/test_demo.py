import pytest
from django.utils import timezone

from agencies.demo import seed_people
from learning.models import LearningEvent
from live.demo import seed_live_sessions
from live.models import LiveSession, Registration

pytestmark = pytest.mark.django_db


def test_demo_has_past_and_upcoming_sessions_with_attendance_once(mailoutbox):
    seed_people()
    assert seed_live_sessions() == 7
    now = timezone.now()
    assert LiveSession.objects.filter(ends_at__lt=now).count() == 2
    assert LiveSession.objects.filter(starts_at__gt=now).count() == 5
    assert Registration.objects.filter(status="attended").count() == 14
    assert LearningEvent.objects.filter(verb="attended").count() == 14
    positions = Registration.objects.filter(status="waitlisted").values_list(
        "waitlist_position", flat=True
    )
    assert sorted(positions) == [1, 2]
    assert seed_live_sessions() == 0
    assert LiveSession.objects.count() == 7
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
