from types import SimpleNamespace

import pytest
from django.utils import translation

from agencies.models import Role

from .builders import make_member
from .factories import AgencyFactory, UnitFactory, UserFactory


@pytest.fixture
def world(db):
    """Two agencies, each with a unit tree and one person per role.

    Agency A: HQ > (Digital > Data, Ops). Agency B: Branch. The manager of A manages Digital
    (and Data below it) but not Ops.
    """
    a = AgencyFactory(name="Agency A", slug="agency-a", domains=["a.gov"])
    b = AgencyFactory(name="Agency B", slug="agency-b", domains=["b.gov"])
    hq = UnitFactory(agency=a, name="HQ")
    digital = UnitFactory(agency=a, parent=hq, name="Digital")
    data = UnitFactory(agency=a, parent=digital, name="Data")
    ops = UnitFactory(agency=a, parent=hq, name="Ops")
    branch = UnitFactory(agency=b, name="Branch")
    return SimpleNamespace(
        a=a,
        b=b,
        hq=hq,
        digital=digital,
        data=data,
        ops=ops,
        branch=branch,
        a_admin=make_member(a, Role.AGENCY_ADMIN, email="admin@a.gov"),
        a_manager=make_member(a, Role.MANAGER, digital, email="manager@a.gov"),
        a_trainer=make_member(a, Role.TRAINER, digital, email="trainer@a.gov"),
        a_learner=make_member(a, Role.LEARNER, data, email="learner@a.gov"),
        a_ops_learner=make_member(a, Role.LEARNER, ops, email="ops@a.gov"),
        b_admin=make_member(b, Role.AGENCY_ADMIN, email="admin@b.gov"),
        b_manager=make_member(b, Role.MANAGER, branch, email="manager@b.gov"),
        b_learner=make_member(b, Role.LEARNER, branch, email="learner@b.gov"),
        platform_admin=with_totp(UserFactory(email="platform@academy.gov", is_platform_admin=True)),
    )


def with_totp(user):
    """Platform admins must use MFA (accounts/middleware.py): give this one an authenticator
    app, so that signing in (force_login included) marks the session as verified."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def client_for(client):
    """Log the test client in as a user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: sessions, rate limits and the cached placements of
    agencies.access live there, and SQLite hands a rolled-back test's ids out again (the
    per-process `fragments` cache too: the lesson player's are keyed on a version's id)."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()


@pytest.fixture
def frozen_session_clock(monkeypatch):
    """The session's clock (when it started, when it was last touched, the seconds left that
    the expiry warning of every signed-in page shows) stopped at one second, so that two
    renderings of a page compare equal whenever they run. Each module's own name for the time
    module is replaced, not time.time itself: a module imported meanwhile would keep the frozen
    function for good (DRF's throttles take `timer = time.time`)."""
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    for module in ("academy.session", "accounts.signals", "accounts.middleware"):
        monkeypatch.setattr(f"{module}.time", frozen)


@pytest.fixture
def fresh_fragments():
    """The catalog's and My learning's fragment cache empty and switched on (courses.fragments),
    before and after the test."""
    from courses import fragments

    fragments.clear()
    fragments.enabled = True
    yield fragments
    fragments.clear()
    fragments.enabled = True


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request served in French (the test client's
    LocaleMiddleware activates it in this thread) must not leave the next test in French."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_join_flag_cleared():
    """Celery's process-wide "a join would block" flag starts every test cleared.

    Its eager tracer sets and restores the flag around each task; tasks applied from two threads
    at once (the concurrency tests) can leave it set, and `.get()` on any later eager result
    would then refuse.
    """
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
