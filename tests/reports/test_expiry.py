"""Expired certificates count as not compliant: the beat's expiry moves the aggregate rows, and
the dashboard's and the adoption report's figures equal a raw count of the enrollments."""

import datetime

import pytest

from learning import services as learning
from learning.models import Certificate
from reports.access import dashboard_scope
from reports.models import CourseEnrollmentCount, EnrollmentCount
from reports.selectors.dashboard import dashboard_figures
from reports.services.exporters import adoption_rows
from tests.builders import complete_lesson, simple_course

from .conftest import at, settle
from .test_aggregates import check_rollups_equal_raw_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def yearly(dash):
    """Course "cy" (valid 1 month), required for a_learner and d2; both complete it on 03-11."""
    w = dash.w
    with at((3, 10)):
        course = simple_course(w.a_trainer, w.a, slug="cy", title="Yearly", validity_months=1)
        enrollments = [
            learning.enrollment_create(
                user=user, course=course, required=True, due_on=datetime.date(2025, 3, 30)
            )
            for user in (w.a_learner, dash.d2)
        ]
    with at((3, 11)):
        for enrollment in enrollments:
            complete_lesson(enrollment, "one")
            complete_lesson(enrollment, "two")
    return course, enrollments


def raw_compliant(course) -> int:
    """Required completions of `course` whose certificate is valid and not expired, counted
    from the enrollments and certificates themselves."""
    return Certificate.objects.filter(
        enrollment__course=course,
        enrollment__required=True,
        enrollment__status="completed",
        revoked_at__isnull=True,
        expired_at__isnull=True,
    ).count()


def test_a_certificate_expires_on_the_validity_of_its_version(yearly):
    _course, enrollments = yearly
    certificate = enrollments[0].certificate
    assert certificate.expires_at.date() == datetime.date(2025, 4, 11)
    assert certificate.expired_at is None


def test_expiry_moves_the_aggregates_once_and_equals_a_raw_count(dash, yearly):
    course, enrollments = yearly
    check_rollups_equal_raw_counts()
    with at((4, 12)):
        assert learning.certificates_expire() == 2
        assert learning.certificates_expire() == 0  # a second beat records nothing
    check_rollups_equal_raw_counts()
    row = CourseEnrollmentCount.objects.get(course=course, status="completed", required=True)
    assert (row.n, row.certified, row.expired) == (2, 2, 2)
    assert EnrollmentCount.objects.filter(course=course).values_list("expired", flat=True)
    assert settle(dash.w.a) == []  # the nightly recompute reads the same


def test_expired_certificates_are_not_compliant_on_the_dashboard_and_report(dash, yearly):
    course, enrollments = yearly
    w = dash.w
    scope = dashboard_scope(w.a_admin, course_id=course.pk)
    before = dashboard_figures(scope, today=datetime.date(2025, 4, 1))["headline"]
    assert before["required_completed"] == raw_compliant(course) == 2
    assert before["expired"] == 0
    with at((4, 12)):
        learning.certificates_expire(now=enrollments[0].certificate.expires_at)
    after = dashboard_figures(scope, today=datetime.date(2025, 4, 12))["headline"]
    assert raw_compliant(course) == 0
    assert after["required_completed"] == 0
    assert after["completed"] == 2 and after["expired"] == 2
    assert after["required_rate"] == 0
    header, *rows = list(adoption_rows(scope))
    expired_column = [str(h) for h in header].index("Certificate expired")
    assert sum(row[expired_column] for row in rows) == 2


def test_revoking_an_expired_certificate_keeps_the_counts_exact(dash, yearly):
    _course, enrollments = yearly
    with at((4, 12)):
        learning.certificates_expire()
    enrollments[0].refresh_from_db()
    learning.certificate_revoke(
        actor=dash.w.a_admin, certificate=enrollments[0].certificate, reason="Issued in error"
    )
    check_rollups_equal_raw_counts()
    assert settle(dash.w.a) == []


def test_a_republish_with_another_validity_leaves_issued_certificates_alone(dash, yearly):
    from courses import services as courses

    course, enrollments = yearly
    issued = enrollments[0].certificate.expires_at
    course.refresh_from_db()
    courses.course_update(
        actor=dash.w.a_trainer,
        course=course,
        expected_revision=course.draft_revision,
        validity_months=24,
    )
    courses.course_publish(actor=dash.w.a_trainer, course=course)
    course.refresh_from_db()
    assert course.current_version.snapshot["validity_months"] == 24
    assert Certificate.objects.get(pk=enrollments[0].certificate.pk).expires_at == issued
