"""The completion CSV written by PostgreSQL's COPY holds byte for byte the lines the Python writer
makes of the same rows: same columns, formula-safe text, translated statuses, revoked
certificates left out."""

import datetime
import io

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import User
from learning.models import Certificate
from learning.services import HistoryRow, completions_import
from learning.services.certificates import certificate_revoke
from reports.access import dashboard_scope
from reports.services import exporters
from reports.services.csv_copy import completion_csv_copy
from tests.builders import finish_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")


def python_csv(scope) -> bytes:
    buffer = io.BytesIO()
    exporters.write_csv(exporters.completion_rows(scope), buffer)
    return buffer.getvalue()


def copy_csv(scope) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    rows = completion_csv_copy(scope, buffer)
    return buffer.getvalue(), rows


@pytest.fixture
def tricky(dash):
    """Names a spreadsheet would run, commas and quotes, a completion with a certificate, one
    whose certificate was revoked, and an imported one."""
    w = dash.w
    User.objects.filter(pk=dash.d2.pk).update(full_name='=HYPERLINK("http://x","a")')
    User.objects.filter(pk=dash.o2.pk).update(full_name="@SUM(1,2)")
    User.objects.filter(pk=w.a_ops_learner.pk).update(full_name='Ops, "the" learner')
    User.objects.filter(pk=w.a_manager.pk).update(full_name="-2+3")
    finish_course(dash.e.learner_c2)
    finish_course(dash.e.ops_c2)
    certificate_revoke(
        actor=w.a_admin,
        certificate=Certificate.objects.get(enrollment=dash.e.ops_c2),
        reason="issued in error",
    )
    # A completion imported from the agency's former system: the "Imported" column.
    completions_import(
        actor=w.a_admin,
        agency=w.a,
        rows=[
            HistoryRow(
                line=2,
                email=w.a_manager.email,
                course=dash.e.learner_c2.course.slug,
                completed_on=datetime.date(2025, 1, 15),
            )
        ],
    )
    return dash


@pytest.mark.parametrize("language", ["en", "fr"])
def test_copy_writes_the_same_file_as_python(postgres, tricky, language):
    with translation.override(language):
        for user, filters in (
            (tricky.w.a_admin, {}),
            (tricky.w.a_manager, {}),
            (tricky.w.a_admin, {"course_id": tricky.c1.pk}),
            (tricky.w.platform_admin, {}),
        ):
            scope = dashboard_scope(user, **filters)
            expected = python_csv(scope)
            written, rows = copy_csv(scope)
            # Same bytes, row order aside (neither writer orders the rows).
            assert written.split(b"\n", 1)[0] == expected.split(b"\n", 1)[0]
            assert sorted(written.split(b"\n")) == sorted(expected.split(b"\n"))
            assert rows == expected.count(b"\n") - 1 > 0
    assert b"'=HYPERLINK" in written and b"'@SUM" in written and b"'-2+3" in written


def test_copy_declines_elsewhere_than_postgres(dash):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL COPY is used")
    buffer = io.BytesIO()
    assert completion_csv_copy(dashboard_scope(dash.w.a_admin), buffer) is None
    assert buffer.getvalue() == b""


@pytest.mark.django_db(transaction=True)
def test_a_report_run_records_its_progress_while_copy_writes(postgres, dash, monkeypatch):
    """A progress write on the connection that COPY holds waited for the COPY, which waited for
    the write: every report past PROGRESS_EVERY rows hung (found by bench/report.py)."""
    import threading

    from reports.models import ReportRun
    from reports.services import csv_copy
    from reports.services.runs import report_run_execute

    monkeypatch.setattr(csv_copy, "PROGRESS_EVERY", 1)
    written = []
    original = ReportRun.objects.filter

    def recording_filter(*args, **kwargs):
        queryset = original(*args, **kwargs)
        update = queryset.update

        def recorded_update(**values):
            if "rows_done" in values and "status" not in values:
                written.append(values["rows_done"])
            return update(**values)

        queryset.update = recorded_update
        return queryset

    monkeypatch.setattr(ReportRun.objects, "filter", recording_filter)
    run = ReportRun.objects.create(kind="completion", format="csv", agency=dash.w.a)

    def execute():
        try:
            report_run_execute(run_id=run.pk)
        finally:
            connection.close()  # this thread's own

    worker = threading.Thread(target=execute, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the report run hung"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.rows_done > 1
    assert written and written == sorted(written) and written[-1] <= run.rows_done
