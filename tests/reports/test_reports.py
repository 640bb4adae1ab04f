import csv
import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reports.access import dashboard_scope
from reports.models import ReportRun, ReportSchedule
from reports.registries import ReportType, report_kinds
from reports.services import exporters
from reports.services.runs import report_request, report_runs_purge
from reports.services.schedules import report_schedule_create, report_schedules_run_due

pytestmark = pytest.mark.django_db(transaction=False)


def request_report(
    user, kind="completion", format="csv", django_capture_on_commit_callbacks=None, **filters
):
    scope = dashboard_scope(user, **filters)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(actor=user, scope=scope, kind=kind, format=format)
    run.refresh_from_db()
    return run


@pytest.fixture
def run_report(django_capture_on_commit_callbacks):
    def run(user, **kwargs):
        return request_report(
            user, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks, **kwargs
        )

    return run


def read_csv(run):
    with default_storage.open(run.file.name, "rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


def test_completion_csv_has_one_row_per_learner_and_course(dash, run_report):
    run = run_report(dash.w.a_manager)
    assert (run.status, run.rows_done, run.error) == ("done", 4, "")
    rows = read_csv(run)
    assert rows[0] == [
        "Agency",
        "Unit",
        "Learner",
        "Email",
        "Course",
        "Assigned on",
        "Due",
        "Status",
        "Completed on",
        "Score",
        "Certificate code",
        "Imported",
    ]
    by_email = {(r[3], r[4]): r for r in rows[1:]}
    done = by_email[("learner@a.gov", "Course One")]
    assert done[:2] == ["Agency A", "Data"] and done[5:9] == [
        "2025-02-20",
        "2025-03-01",
        "Completed",
        "2025-03-03",
    ]
    assert len(done[10]) >= 20  # the certificate code
    assert {email for email, _ in by_email} == {"learner@a.gov", "d2@a.gov", "manager@a.gov"}


def test_overdue_and_adoption_reports(dash, run_report):
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC)):
        overdue = read_csv(run_report(dash.w.a_admin, kind="overdue"))
        adoption = read_csv(run_report(dash.w.a_admin, kind="adoption"))
    assert [(r[3], r[6]) for r in overdue[1:]] == [("d2@a.gov", "7"), ("o2@a.gov", "2")]
    units = {r[1]: r for r in adoption[1:]}
    assert set(units) == {"HQ", "HQ / Digital", "HQ / Digital / Data", "HQ / Ops"}
    # members, activated, enrolled, in progress, completed, certificate expired, overdue
    assert units["HQ / Ops"][2:9] == ["2", "1", "3", "2", "1", "0", "1"]


def test_xlsx_and_pdf_formats(dash, run_report):
    from openpyxl import load_workbook

    run = run_report(dash.w.a_admin, format="xlsx")
    with default_storage.open(run.file.name, "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 7 and rows[0][0] == "Agency"
    pdf = run_report(dash.w.a_admin, format="pdf")
    with default_storage.open(pdf.file.name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and content.count(b"/Type /Page\n") <= 1


def test_spreadsheet_formulas_are_neutralised():
    assert exporters._safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exporters._safe("Ada") == "Ada"


def test_failure_midway_leaves_failed_run_and_no_file(dash, run_report):
    def broken(scope):
        yield ["header"]
        yield ["one row"]
        raise RuntimeError("database went away")

    before = (
        set(default_storage.listdir("reports")[0]) if default_storage.exists("reports") else set()
    )
    with report_kinds.temporary():
        report_kinds.register("broken", ReportType(label="Broken", rows=broken))
        run = run_report(dash.w.a_admin, kind="broken")
    assert run.status == "failed" and "database went away" in run.error and not run.file
    after = (
        set(default_storage.listdir("reports")[0]) if default_storage.exists("reports") else set()
    )
    assert after == before
    from django.test import Client

    client = Client()
    client.force_login(dash.w.a_admin)
    url = reverse("reports:run_download", args=[run.pk])
    assert client.get(url).status_code == 404
    assert (
        "database went away"
        in client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    )


def test_download_only_within_scope(dash, run_report, client_for):
    ops_run = run_report(dash.w.a_admin, unit_id=dash.w.ops.pk)
    agency_run = run_report(dash.w.a_admin)
    mine = run_report(dash.w.a_manager)
    url = lambda run: reverse("reports:run_download", args=[run.pk])  # noqa: E731
    assert client_for(dash.w.a_admin).get(url(ops_run)).status_code == 200
    for run in (ops_run, agency_run):
        assert client_for(dash.w.a_manager).get(url(run)).status_code == 404
    response = client_for(dash.w.a_manager).get(url(mine))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"learner@a.gov" in b"".join(response.streaming_content)
    for who in (dash.w.b_admin, dash.w.b_manager, dash.w.a_learner):
        assert client_for(who).get(url(mine)).status_code == 404
        assert client_for(who).get(reverse("reports:run_detail", args=[mine.pk])).status_code == 404


def test_report_files_are_served_privately(dash, run_report, client_for, settings):
    """Through the access-checked view only: nosniff, never cached by shared caches, and handed
    to nginx by X-Accel-Redirect when a deployment sets ACADEMY_X_ACCEL_REDIRECT_PREFIX."""
    run = run_report(dash.w.a_manager)
    url = reverse("reports:run_download", args=[run.pk])
    client = client_for(dash.w.a_manager)
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    settings.ACADEMY_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = client.get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected/" + run.file.name
    assert response["Content-Disposition"].startswith("attachment")
    assert client_for(dash.w.b_admin).get(url).status_code == 404


def test_request_through_the_page_returns_at_once_and_shows_progress(dash, client_for):
    client = client_for(dash.w.a_manager)
    response = client.post(reverse("reports:run_list"), {"kind": "completion", "format": "csv"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/runs/{run.pk}/")
    assert run.status == "queued"  # the task runs on commit, after the request
    status = client.get(reverse("reports:run_detail", args=[run.pk]), {"format": "json"})
    assert status.json()["status"] == "queued"
    response = client.post(
        reverse("reports:run_list"), {"kind": "completion", "format": "csv", "unit": dash.w.ops.pk}
    )
    assert response.status_code == 404


def test_retention_deletes_old_runs_and_files(dash, run_report, settings):
    settings.REPORT_RETENTION_DAYS = 30
    old, fresh = run_report(dash.w.a_admin), run_report(dash.w.a_admin)
    ReportRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    stuck = ReportRun.objects.create(kind="completion", format="csv", agency=dash.w.a)
    ReportRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=7)
    )
    assert report_runs_purge() == 1
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.error


def test_subscription_runs_when_due_and_emails_a_link(dash, django_capture_on_commit_callbacks):
    manager = dash.w.a_manager
    schedule = report_schedule_create(
        actor=manager,
        scope=dashboard_scope(manager),
        kind="completion",
        format="csv",
        frequency="weekly",
        today=datetime.date(2025, 3, 3),
    )
    assert schedule.next_run_on == datetime.date(2025, 3, 10)
    assert report_schedules_run_due(today=datetime.date(2025, 3, 9)) == []
    with django_capture_on_commit_callbacks(execute=True):
        runs = report_schedules_run_due(today=datetime.date(2025, 3, 10))
    assert len(runs) == 1 and report_schedules_run_due(today=datetime.date(2025, 3, 10)) == []
    runs[0].refresh_from_db()
    assert runs[0].status == "done"
    schedule.refresh_from_db()
    assert schedule.next_run_on == datetime.date(2025, 3, 17)
    assert len(mail.outbox) == 1 and f"/reports/runs/{runs[0].pk}/" in mail.outbox[0].body


def test_subscription_of_someone_who_lost_the_scope_stops(dash):
    from agencies.models import Membership, Role

    manager = dash.w.a_manager
    report_schedule_create(
        actor=manager,
        scope=dashboard_scope(manager),
        kind="overdue",
        format="csv",
        frequency="monthly",
        today=datetime.date(2025, 3, 3),
    )
    Membership.objects.filter(user=manager).update(role=Role.LEARNER)
    manager._academy_actor = None
    del manager._academy_actor
    assert report_schedules_run_due(today=datetime.date(2025, 4, 1)) == []
    assert not ReportSchedule.objects.get().is_active


def test_subscribe_and_unsubscribe_through_the_page(dash, client_for):
    client = client_for(dash.w.a_manager)
    client.post(
        reverse("reports:run_list"), {"kind": "overdue", "format": "xlsx", "frequency": "monthly"}
    )
    schedule = ReportSchedule.objects.get()
    assert (
        client_for(dash.w.a_admin)
        .post(reverse("reports:schedule_delete", args=[schedule.pk]))
        .status_code
        == 404
    )
    client = client_for(dash.w.a_manager)
    client.post(reverse("reports:schedule_delete", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert not schedule.is_active
