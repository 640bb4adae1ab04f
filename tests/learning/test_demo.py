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
    assert_certificates_expire_in_the_demo()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first


def assert_certificates_expire_in_the_demo():
    """A yearly course: one certificate expires within 30 days (its refresher is assigned and
    the learner reminded), one has expired and counts as not compliant."""
    import datetime
    import zoneinfo

    from django.utils import timezone

    from reminders.models import Kind, ReminderLog
    from reports.models import CourseEnrollmentCount

    now = timezone.now()
    yearly = Certificate.objects.filter(
        issued_for__course__slug="protecting-sensitive-information", expires_at__isnull=False
    )
    expiring = yearly.get(expires_at__gt=now, expires_at__lte=now + datetime.timedelta(days=30))
    assert expiring.enrollment_id is None  # the refresher reopened the course: period 2
    refresher = expiring.issued_for
    assert (refresher.period, refresher.status) == (2, EnrollmentStatus.NOT_STARTED)
    # due on the expiry day where the agency is (just after midnight UTC, a day earlier in
    # the demo agency's time zone)
    agency_tz = zoneinfo.ZoneInfo(refresher.agency.time_zone or "UTC")
    assert refresher.due_on == timezone.localdate(expiring.expires_at, agency_tz)
    assert ReminderLog.objects.filter(
        kind=Kind.CERTIFICATE_EXPIRING, object_id=expiring.pk
    ).exists()
    expired = yearly.get(expires_at__lt=now)
    assert expired.expired_at is not None and expired.enrollment_id is not None
    cell = CourseEnrollmentCount.objects.filter(
        course__slug="protecting-sensitive-information", status="completed", expired__gt=0
    )
    assert sum(cell.values_list("expired", flat=True)) == 1
