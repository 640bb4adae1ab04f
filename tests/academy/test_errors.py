from django.test import RequestFactory

from academy import views


def test_unknown_page_answers_404_with_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="usa-skipnav"' in response.content
    assert b'<html lang="en">' in response.content


def test_403_page_explains_and_offers_the_way_home(db):
    request = RequestFactory().get("/x")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = views.error_403(request, exception=None)
    assert response.status_code == 403
    assert b"Access denied" in response.content


def test_500_page_renders_without_touching_the_database():
    # No `db` fixture: any query here would raise, as it would when the database is down.
    response = views.error_500(RequestFactory().get("/x"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b'<main id="main-content"' in response.content


def test_a_database_outage_answers_503_and_says_it_is_temporary(client, world, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    client.force_login(world.a_learner)
    client.raise_request_exception = False

    def unreachable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
    response = client.get("/")
    monkeypatch.undo()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"briefly unavailable" in response.content
    assert client.get("/").status_code == 200  # back by itself once the database is
