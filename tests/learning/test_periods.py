"""Enrollment periods (recurring training): reopening keeps earlier certificates valid."""

import datetime

import pytest

from learning import services
from learning.access import access_certificate
from learning.models import Certificate, EnrollmentStatus, LearningEvent, Verb
from tests.builders import finish_course

pytestmark = pytest.mark.django_db


def test_reopen_starts_a_new_period_and_keeps_the_old_certificate(world, enrollment):
    finish_course(enrollment)
    old = enrollment.certificate
    due = datetime.date(2030, 1, 31)
    reopened = services.enrollment_reopen(enrollment=enrollment, period=2, due_on=due)
    assert (reopened.period, reopened.status, reopened.progress_percent, reopened.due_on) == (
        2,
        EnrollmentStatus.NOT_STARTED,
        0,
        due,
    )
    # The new period starts empty; the first period's progress and attempts stay as history.
    assert not reopened.lessons.filter(period=2).exists()
    assert not reopened.attempts.filter(period=2).exists()
    assert reopened.lessons.filter(period=1).count() == 3
    assert reopened.attempts.filter(period=1, passed=True).exists()
    old.refresh_from_db()
    assert (old.enrollment_id, old.issued_for_id, old.period, old.is_valid) == (
        None,
        enrollment.pk,
        1,
        True,
    )
    # The learner and their admin still reach the earlier certificate; others get 404.
    assert access_certificate(world.a_learner, old.code) == old
    assert access_certificate(world.a_admin, old.code) == old
    assert LearningEvent.objects.filter(verb=Verb.REOPENED).count() == 1
    # Same period again: nothing changes.
    services.enrollment_reopen(enrollment=reopened, period=2, due_on=due)
    assert LearningEvent.objects.filter(verb=Verb.REOPENED).count() == 1
    finish_course(reopened)
    assert Certificate.objects.filter(issued_for=enrollment).count() == 2


def test_other_agency_cannot_see_an_earlier_period_certificate(world, enrollment):
    from django.http import Http404

    finish_course(enrollment)
    code = enrollment.certificate.code
    services.enrollment_reopen(enrollment=enrollment, period=2, due_on=None)
    with pytest.raises(Http404):
        access_certificate(world.b_admin, code)


def test_revoking_an_earlier_period_certificate_leaves_dashboards_consistent(world, enrollment):
    from reports.services.recompute import aggregates_recompute_agency

    finish_course(enrollment)
    old = enrollment.certificate
    services.enrollment_reopen(enrollment=enrollment, period=2, due_on=None)
    services.certificate_revoke(actor=world.a_admin, certificate=old, reason="Issued in error")
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []


def test_an_attempt_left_open_in_an_earlier_period_cannot_be_submitted(world, enrollment):
    from django.core.exceptions import ValidationError

    from tests.builders import right_answers

    finish_course(enrollment)
    enrollment.refresh_from_db()
    services.enrollment_reopen(enrollment=enrollment, period=2, due_on=None)
    # An attempt of period 2 is fine; forge one that claims period 1 and is still open.
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    answers = right_answers(attempt)
    type(attempt).objects.filter(pk=attempt.pk).update(period=1, number=99)
    attempt.refresh_from_db()
    with pytest.raises(ValidationError):
        services.attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
