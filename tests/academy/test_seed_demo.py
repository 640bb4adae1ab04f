import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User
from agencies.models import Agency, AgencyDomain, Membership, Unit
from practice.models import CourseReviewer, Submission

pytestmark = pytest.mark.django_db

MODELS = [Agency, AgencyDomain, Unit, User, EmailAddress, Membership, CourseReviewer, Submission]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_seed_demo_refuses_when_debug_is_off_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_seed_demo_runs_twice_with_identical_counts(settings):
    settings.DEBUG = True
    seed()
    first = counts()
    assert first["Agency"] == 4
    assert User.objects.filter(email="agencyadmin@demo.gov").exists()
    assert first["CourseReviewer"] == 1  # trainer@demo.gov, of the practice course
    seed()
    assert counts() == first


def test_the_sso_demo_agency_signs_in_through_the_test_provider(settings):
    from sso.demo import DEMO_CLIENT_ID
    from sso.models import IdentityProvider

    settings.DEBUG = True
    seed()
    provider = IdentityProvider.objects.get(agency__slug="sso-demo-agency")
    assert provider.enabled and provider.sso_only and provider.client_id == DEMO_CLIENT_ID
    assert provider.issuer == f"http://127.0.0.1:{settings.ACADEMY_DEMO_IDP_PORT}"


def test_seed_demo_with_force_runs_when_debug_is_off(settings):
    settings.DEBUG = False
    seed("--force")
    assert Agency.objects.filter(slug="demo-agency").exists()


def test_seed_demo_adds_bulk_learners_only_once(settings):
    """(How fast is for bench/, which seeds 100,000; a test never times anything.)"""
    settings.DEBUG = True
    seed()
    before = counts()
    seed("--learners", "500")
    after = counts()
    assert after["User"] - before["User"] == 500
    assert after["Membership"] - before["Membership"] == 500
    assert after["EmailAddress"] - before["EmailAddress"] == 500
    assert (
        Membership.objects.filter(
            user__email__startswith="bulk", agency__slug="demo-agency"
        ).count()
        == 500
    )
    seed("--learners", "500")
    assert counts() == after
