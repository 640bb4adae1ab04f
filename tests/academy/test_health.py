import json

import pytest

from academy import health

TOKEN = "monitor-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def fresh_broker_check(settings):
    settings.ACADEMY_HEALTH_TOKEN = TOKEN
    health.forget_broker_status()
    yield
    health.forget_broker_status()


@pytest.fixture
def broker_down():
    from academy.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url = original


def test_anyone_learns_only_that_academy_is_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_anyone_learns_only_that_academy_is_down(client, db, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error"}


def test_a_monitor_with_the_token_sees_the_details(client, db):
    response = client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["database"]["ok"] is True and body["database"]["vendor"]
    assert body["broker"]["ok"] is True and "transport" in body["broker"]
    assert "worker_heartbeat" in body


def test_a_wrong_token_sees_no_details(client, db):
    response = client.get("/healthz", headers={"Authorization": "Bearer guess"})
    assert json.loads(response.content) == {"status": "ok"}


def test_a_platform_admin_sees_the_details_and_others_do_not(client, world):
    client.force_login(world.a_admin)
    assert json.loads(client.get("/healthz").content) == {"status": "ok"}
    client.force_login(world.platform_admin)
    assert json.loads(client.get("/healthz").content)["database"]["ok"] is True


def test_details_name_the_broker_that_is_down(client, db, broker_down):
    response = client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503
    assert json.loads(response.content)["broker"]["ok"] is False


def test_the_broker_is_checked_at_most_once_per_interval(client, db, monkeypatch, settings):
    settings.ACADEMY_HEALTH_BROKER_SECONDS = 60
    calls = []
    monkeypatch.setattr(health, "_broker_connect", lambda: calls.append(1) or {"ok": True})
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert len(calls) == 1
    settings.ACADEMY_HEALTH_BROKER_SECONDS = 0
    client.get("/healthz")
    assert len(calls) == 2
