"""/api/v1/report-runs/: reports requested, polled and downloaded through reports' services and
the site's access check (reports:read), nothing of another agency."""

import pytest

from learning import services as learning
from reports.models import ReportRun
from tests.builders import build_course, finish_course

READ = ["reports:read"]


@pytest.fixture
def completed(world):
    course = build_course(world.a_trainer, world.a, publish=True)
    finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    return course


def _request(client, body, capture):
    with capture(execute=True):
        return client.post("report-runs/", body)


def test_requests_polls_and_downloads_a_completion_csv(
    world, api, completed, django_capture_on_commit_callbacks
):
    client = api(world.a, scopes=READ)
    response = _request(
        client, {"kind": "completion", "format": "csv"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    run = ReportRun.objects.get(pk=run_id)
    assert run.requested_by == world.a_admin and run.agency == world.a
    polled = client.get(f"report-runs/{run_id}/").json()
    assert polled["status"] == "done" and polled["rows_done"] == 2
    assert polled["download"].endswith(f"/api/v1/report-runs/{run_id}/download/")
    download = client.get(f"report-runs/{run_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "learner@a.gov" in text and "ops@a.gov" in text and "@b.gov" not in text
    assert [row["id"] for row in client.get("report-runs/").json()["results"]] == [run_id]


def test_a_unit_report_is_scoped_and_a_run_not_ready_has_no_download(
    world, api, completed, django_capture_on_commit_callbacks
):
    client = api(world.a, scopes=READ)
    queued = client.post("report-runs/", {"kind": "completion", "format": "csv"})  # task not run
    assert queued.json()["status"] == "queued" and queued.json()["download"] is None
    assert client.get(f"report-runs/{queued.json()['id']}/download/").status_code == 404
    unit = _request(
        client,
        {"kind": "completion", "format": "xlsx", "unit": world.ops.pk},
        django_capture_on_commit_callbacks,
    ).json()
    polled = client.get(f"report-runs/{unit['id']}/").json()
    assert polled["unit"] == world.ops.pk and polled["status"] == "done"
    assert polled["rows_done"] == 1  # Ops's learner only


def test_another_agencys_runs_are_404_and_its_units_unknown(
    world, api, completed, django_capture_on_commit_callbacks
):
    mine = _request(
        api(world.a, scopes=READ),
        {"kind": "completion", "format": "csv"},
        django_capture_on_commit_callbacks,
    ).json()
    other = api(world.b, scopes=READ)
    assert other.get("report-runs/").json()["results"] == []
    assert other.get(f"report-runs/{mine['id']}/").status_code == 404
    assert other.get(f"report-runs/{mine['id']}/download/").status_code == 404
    refused = other.post(
        "report-runs/",
        {"kind": "completion", "format": "csv", "unit": world.ops.pk, "course": completed.pk},
    )
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} == {"unit", "course"}
    assert ReportRun.objects.count() == 1


def test_scopes_and_bad_input(world, api):
    assert api(world.a, scopes=["learning:read"]).get("report-runs/").status_code == 403
    body = {"kind": "completion", "format": "csv"}
    assert api(world.a, scopes=["learning:read"]).post("report-runs/", body).status_code == 403
    bad = api(world.a, scopes=READ).post("report-runs/", {"kind": "nope", "format": "doc"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"kind", "format"}
    assert not ReportRun.objects.exists()
