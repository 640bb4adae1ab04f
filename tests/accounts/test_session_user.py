"""The signed-in user read from the shared cache (accounts/session_user.py): no query once
cached, the same user as the database's, and every change of the row seen on the next request."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import session_user
from accounts.models import User
from agencies import services

PASSWORD = "academy-demo"
NEW_PASSWORD = "Correct-Horse-Battery-9"


def user_queries(client, path="/"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, [q["sql"] for q in captured if 'FROM "accounts_user"' in q["sql"]]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_signed_in_request_reads_no_user_row_once_cached(world):
    client = signed_in(world.a_learner)
    response, first = user_queries(client)
    assert response.wsgi_request.user == world.a_learner
    assert len(first) == 1  # the first request reads the row and caches it
    response, then = user_queries(client)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == world.a_learner.pk
    assert then == []


def test_the_cached_user_is_the_database_row(world):
    client = signed_in(world.a_manager)
    client.get("/")
    user = client.get("/").wsgi_request.user
    assert type(user) is User  # read at once, not behind a lazy object
    stored = User.objects.get(pk=world.a_manager.pk)
    for name in session_user._FIELDS:
        assert getattr(user, name) == getattr(stored, name), name
    assert user._state.adding is False and user._state.db == "default"
    # The password hash is not cached: it is read (one query) only by what needs it.
    assert "password" in user.get_deferred_fields()
    assert user.check_password(PASSWORD)


def test_the_cache_holds_the_session_auth_hash_never_the_password_hash(world):
    client = signed_in(world.a_learner)
    client.get("/")
    entry = cache.get(session_user._entry_key(world.a_learner.pk))
    stored = User.objects.get(pk=world.a_learner.pk)
    assert entry[1] == stored.get_session_auth_hash() == client.session[HASH_SESSION_KEY]
    assert stored.password not in repr(entry)


def test_a_password_change_signs_out_the_other_sessions(world):
    here, elsewhere = signed_in(world.a_learner), signed_in(world.a_learner)
    for client in (here, elsewhere):
        client.get("/")
        assert client.get("/").wsgi_request.user.is_authenticated  # from the cache
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/").wsgi_request.user.is_authenticated  # the session that changed it stays
    assert elsewhere.get("/").wsgi_request.user.is_authenticated is False


def test_a_password_set_by_any_save_signs_out_open_sessions(world):
    client = signed_in(world.a_learner)
    client.get("/")
    user = User.objects.get(pk=world.a_learner.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_deactivation_takes_effect_on_the_next_request(world):
    client = signed_in(world.a_learner)
    client.get("/")
    assert client.get("/").wsgi_request.user.is_authenticated  # cached
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_a_change_of_the_row_is_seen_on_the_next_request(world):
    client = signed_in(world.a_learner)
    client.get("/")
    User.objects.get(pk=world.a_learner.pk).save()  # any save, say a name change in the admin
    user = User.objects.get(pk=world.a_learner.pk)
    user.full_name = "Renamed Person"
    user.save(update_fields=["full_name"])
    assert client.get("/").wsgi_request.user.full_name == "Renamed Person"


def test_a_deleted_user_is_signed_out(world):
    client = signed_in(world.a_ops_learner)
    client.get("/")
    User.objects.filter(pk=world.a_ops_learner.pk).delete()
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_a_row_read_before_a_change_is_never_used_after_it(world):
    """A request that read the row before a change committed, and caches it after, stores it
    under the version the change retired."""
    user = world.a_learner
    client = signed_in(user)
    client.get("/")
    version_before = cache.get(session_user._version_key(user.pk))
    stale = User.objects.get(pk=user.pk)
    stored = User.objects.get(pk=user.pk)
    stored.is_active = False
    stored.save(update_fields=["is_active"])
    session_user._remember(session_user._entry_key(user.pk), version_before, stale)
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_a_session_without_the_current_hash_is_flushed_as_django_does(world):
    client = signed_in(world.a_learner)
    client.get("/")
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert client.get("/").wsgi_request.user.is_authenticated is False
    assert "_auth_user_id" not in client.session


def test_the_acting_users_placement_comes_in_the_same_round_trip(world, monkeypatch):
    client = signed_in(world.a_manager)
    client.get("/")
    calls = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append(keys) or real(keys))
    response = client.get("/bench-free-path-404/")
    assert response.status_code == 404
    # One read for the session (accounts/sessions.py), one for the user and their placement.
    assert len(calls) == 2
    assert calls[0][0].startswith("django.contrib.sessions.cached_db")
    assert calls[1][0] == session_user._version_key(world.a_manager.pk) and len(calls[1]) == 4


@pytest.mark.parametrize("enabled", [True, False])
def test_the_setting_turns_it_off(world, settings, enabled):
    settings.ACADEMY_USER_CACHE = enabled
    client = signed_in(world.a_learner)
    client.get("/")
    _response, queries = user_queries(client)
    assert len(queries) == (0 if enabled else 1)
