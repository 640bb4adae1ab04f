"""Certificates that expire: the expiry comes from the version earned on and is stored on the
certificate; the hourly transition records each expiry once and moves only the current
period's enrollment to "expired"."""

import datetime

import pytest
import time_machine

from learning import services
from learning.events import EnrollmentState, states_for
from learning.expiry import add_months, expiry_for
from learning.models import Certificate, Enrollment
from tests.builders import build_course, finish_course

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(*day):
    return time_machine.travel(datetime.datetime(*day, 12, tzinfo=UTC), tick=False)


def earn(world, *, slug="yearly", **settings):
    with at(2027, 1, 31):
        course = build_course(world.a_trainer, world.a, slug=slug, publish=True, **settings)
        enrollment = services.enrollment_create(user=world.a_learner, course=course)
        finish_course(enrollment)
    return enrollment


def test_months_are_calendar_months_clamped_to_the_month_end():
    moment = datetime.datetime(2027, 1, 31, 9, 30, tzinfo=UTC)
    assert add_months(moment, 1) == datetime.datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert add_months(moment, 13) == datetime.datetime(2028, 2, 29, 9, 30, tzinfo=UTC)
    assert expiry_for(moment, {"validity_months": None}) is None
    assert expiry_for(moment, {}) is None  # versions published before the setting


def test_the_certificate_stores_its_expiry(world):
    certificate = earn(world, validity_months=1).certificate
    assert certificate.expires_at.date() == datetime.date(2027, 2, 28)
    with at(2027, 2, 27):
        assert not certificate.has_expired
    with at(2027, 3, 1):
        assert certificate.has_expired


def test_a_certificate_without_validity_never_expires(world):
    certificate = earn(world).certificate
    assert certificate.expires_at is None
    with at(2040, 1, 1):
        assert services.certificates_expire() == 0
        assert not certificate.has_expired


def test_the_transition_is_recorded_once_and_the_state_says_expired(world):
    enrollment = earn(world, validity_months=1)
    states = states_for(Enrollment.objects.filter(pk=enrollment.pk))
    assert states[enrollment.pk].certified and not states[enrollment.pk].expired
    with at(2027, 2, 27):
        assert services.certificates_expire() == 0  # not yet
    with at(2027, 3, 1):
        assert services.certificates_expire() == 1
        assert services.certificates_expire() == 0
    certificate = Certificate.objects.get(pk=enrollment.certificate.pk)
    assert certificate.expired_at == datetime.datetime(2027, 3, 1, 12, tzinfo=UTC)
    state = states_for(Enrollment.objects.filter(pk=enrollment.pk))[enrollment.pk]
    assert state.certified and state.expired
    assert EnrollmentState.of(Enrollment.objects.get(pk=enrollment.pk)) == state


def test_a_reopened_or_revoked_certificate_is_marked_without_moving_the_enrollment(world):
    renewed = earn(world, validity_months=1)
    with at(2027, 2, 1):
        services.enrollment_reopen(enrollment=renewed, period=2, due_on=datetime.date(2027, 2, 28))
    revoked = earn(world, slug="revoked", validity_months=1)
    services.certificate_revoke(
        actor=world.a_admin, certificate=revoked.certificate, reason="Issued in error"
    )
    with at(2027, 3, 1):
        assert services.certificates_expire() == 2
    assert Certificate.objects.filter(expired_at__isnull=False).count() == 2
    states = states_for(Enrollment.objects.filter(pk__in=[renewed.pk, revoked.pk]))
    assert not any(state.expired for state in states.values())
