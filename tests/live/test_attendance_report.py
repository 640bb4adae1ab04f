"""The "Live session attendance" report (key `attendance`): one row per person placed at a
session, scoped by the person's agency and unit like the other reports, one query."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage

from agencies.dates import agency_date
from live import services
from live.attendance_report import attendance_rows
from reports.access import dashboard_scope
from reports.registries import report_kind_choices
from reports.services.runs import report_request

from .conftest import schedule

pytestmark = pytest.mark.django_db

HEADER = ["Session", "Date", "Person", "Email", "Unit", "Status", "Attended"]


@pytest.fixture
def attended(world):
    session = schedule(world.a_trainer, title="Prompting workshop")
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    with time_machine.travel(session.starts_at + timedelta(minutes=10)):
        services.attendance_record(
            actor=world.a_trainer, session=session, attended_user_ids=[world.a_learner.pk]
        )
    return session


def rows_for(user):
    return list(attendance_rows(dashboard_scope(user)))


def test_the_report_is_offered_with_its_label():
    assert ("attendance", "Live session attendance") in report_kind_choices()


def test_one_row_per_person_with_status_and_attended(world, attended):
    rows = rows_for(world.a_admin)
    assert rows[0] == HEADER
    by_email = {r[3]: r for r in rows[1:]}
    assert set(by_email) == {"learner@a.gov", "ops@a.gov"}
    learner = by_email["learner@a.gov"]
    assert learner[0] == "Prompting workshop"
    assert learner[1] == agency_date(world.a.time_zone, attended.starts_at)
    assert learner[4:] == ["Data", "Attended", "yes"]
    assert by_email["ops@a.gov"][4:] == ["Ops", "Registered", "no"]


def test_a_manager_sees_their_units_only_and_another_agency_nothing(world, attended):
    assert [r[3] for r in rows_for(world.a_manager)[1:]] == ["learner@a.gov"]
    assert rows_for(world.b_admin)[1:] == []


def test_the_rows_cost_one_query_whatever_their_number(world, attended, django_assert_num_queries):
    scope = dashboard_scope(world.a_admin)
    with django_assert_num_queries(1):
        rows = list(attendance_rows(scope))
    assert len(rows) == 3


def test_the_report_runs_as_a_csv_file(world, attended, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(
            actor=world.a_admin,
            scope=dashboard_scope(world.a_admin),
            kind="attendance",
            format="csv",
        )
    run.refresh_from_db()
    assert (run.status, run.rows_done) == ("done", 2)
    with default_storage.open(run.file.name, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0] == HEADER and len(rows) == 3
