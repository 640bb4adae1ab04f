"""Enrollment periods (recurring training): reopening keeps earlier certificates valid."""

import datetime

import pytest

from learning import services
from learning.access import access_certificate
from learning.models import Certificate, EnrollmentStatus, LearningEvent, Verb

from .conftest import finish_course

pytestmark = pytest.mark.django_db


def test_reopen_starts_a_new_period_and_keeps_the_old_certificate(world, enrollment):
    finish_course(enrollment)
    old = enrollment.certificate
    due = datetime.date(2030, 1, 31)
    reopened = services.enrollment_reopen(enrollment=enrollment, period=2, due_on=due)
    assert (reopened.period, reopened.status, reopened.progress_percent, reopened.due_on) == (
        2, EnrollmentStatus.NOT_STARTED, 0, due)
    assert not reopened.lessons.exists() and not reopened.attempts.exists()
    old.refresh_from_db()
    assert (old.enrollment_id, old.issued_for_id, old.period, old.is_valid) == (
        None, enrollment.pk, 1, True)
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
