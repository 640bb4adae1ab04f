"""The session expiry warning: the keep-alive endpoint and the dialog on signed-in pages."""

import time

from django.urls import reverse

from accounts.signals import SESSION_STARTED_KEY

KEEPALIVE = reverse("session_keepalive")


def test_keepalive_renews_the_session_and_says_how_long_it_has(
    world, client_for, settings, django_assert_num_queries
):
    client = client_for(world.a_trainer)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time())
    session.save()
    before = client.session.get_expiry_date()
    time.sleep(1.1)  # expiry dates are stored to the second
    # The user, the membership (cached from now on), and the session's save in a savepoint
    # (three statements); the session itself comes from the cache.
    with django_assert_num_queries(5):
        response = client.post(KEEPALIVE)
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "seconds_left": settings.SESSION_COOKIE_AGE}
    assert client.session.get_expiry_date() > before
    assert response["Cache-Control"].startswith("max-age=0")


def test_keepalive_cannot_outlive_the_absolute_session_lifetime(world, client_for, settings):
    client = client_for(world.a_trainer)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    seconds_left = client.post(KEEPALIVE).json()["seconds_left"]
    assert 55 <= seconds_left <= 60


def test_keepalive_says_signed_out_with_401_and_needs_post(client, world, client_for):
    response = client.post(KEEPALIVE)
    assert response.status_code == 401
    assert response.json()["signed_in"] is False
    assert client_for(world.a_learner).get(KEEPALIVE).status_code == 405


def test_signed_in_pages_carry_the_warning_and_anonymous_pages_do_not(client, world, client_for):
    assert 'id="session-timeout"' not in client.get(reverse("home")).content.decode()
    page = client_for(world.a_learner).get(reverse("home")).content.decode()
    assert 'id="session-timeout"' in page
    assert f'data-keepalive-url="{KEEPALIVE}"' in page
    assert 'data-warn-seconds="120"' in page
    assert "Stay signed in" in page
    assert "js/session-timeout.js" in page
