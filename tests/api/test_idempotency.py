"""Idempotency-Key on every POST of the API: declared in the schema for each, and a retried
request creates nothing twice (people and assignments are tested in their own modules)."""

from reports.models import ReportRun


def test_every_post_operation_declares_the_idempotency_key(client, db):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    posts = {
        path: operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == "post"
    }
    assert set(posts) >= {
        "/api/v1/people/",
        "/api/v1/people/{id}/deactivate/",
        "/api/v1/assignments/",
        "/api/v1/assignments/preview/",
        "/api/v1/report-runs/",
        "/api/v1/completions/import/",
    }
    for path, operation in posts.items():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path


def _post(client, auth, key, body):
    return client.post(
        "/api/v1/report-runs/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **auth,
    )


def test_a_retried_report_request_queues_one_run(world, api, client):
    auth = api(world.a, scopes=["reports:read"]).auth
    body = {"kind": "completion", "format": "csv"}
    first = _post(client, auth, "run-1", body)
    again = _post(client, auth, "run-1", body)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert ReportRun.objects.count() == 1
    reused = _post(client, auth, "run-1", {"kind": "overdue", "format": "csv"})
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")
    assert ReportRun.objects.count() == 1
    # Keys belong to the client: another client's identical key is its own.
    other = api(world.b, scopes=["reports:read"]).auth
    assert _post(client, other, "run-1", body).status_code == 201
    assert ReportRun.objects.count() == 2


def test_the_nightly_purge_forgets_only_keys_older_than_the_window(world, api, client, settings):
    import datetime

    from django.utils import timezone

    from api.models import IdempotentRequest
    from api.tasks import idempotency_purge_task

    settings.API_IDEMPOTENCY_KEY_HOURS = 48
    auth = api(world.a, scopes=["reports:read"]).auth
    body = {"kind": "completion", "format": "csv"}
    assert _post(client, auth, "old", body).status_code == 201
    assert _post(client, auth, "recent", body).status_code == 201
    now = timezone.now()
    IdempotentRequest.objects.filter(key="old").update(
        created_at=now - datetime.timedelta(hours=49)
    )
    IdempotentRequest.objects.filter(key="recent").update(
        created_at=now - datetime.timedelta(hours=47)
    )
    assert idempotency_purge_task() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["recent"]
    # Within the window a retry still replays; the purged key acts again.
    assert _post(client, auth, "recent", body)["Idempotent-Replayed"] == "true"
    assert _post(client, auth, "old", body).status_code == 201
    assert ReportRun.objects.count() == 3
