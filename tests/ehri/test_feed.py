"""The feed: records, the edits before OPM's, the XML against the schema, no SSN, corrections."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from lxml import etree

from ehri import services
from ehri.codes import RECORD_COLUMNS
from ehri.feed import duty_hours, feed_build, last_month_rows
from ehri.models import FeedExport, ReportedRecord
from learning.models import Enrollment
from reports.access import DashboardScope

from ..builders import simple_course
from .conftest import complete, this_month

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path("ehri/schema/training_feed.xsd"))))
SSN = re.compile(r"\b\d{3}-?\d{2}-?\d{4}\b")


def produce(world, django_capture_on_commit_callbacks):
    start, end = this_month(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.feed_request(actor=world.a_admin, agency=world.a, start=start, end=end)
    export.refresh_from_db()
    return export


def read(field) -> bytes:
    with default_storage.open(field.name, "rb") as f:
        return f.read()


def test_a_coded_completion_becomes_one_record(world, reporting):
    course, enrollment = reporting
    start, end = this_month(world.a)
    feed = feed_build(agency=world.a, start=start, end=end)
    assert feed.rejections == [] and feed.problems == []
    [record] = feed.records
    assert record["EmployeeIdentifier"] == "E-1001"
    assert record["CourseTitle"] == "AI ethics"
    assert record["TrainingPurposeType"] == "New Work Assignment"
    assert record["TrainingDutyHours"] == "0.2"  # 10 estimated minutes, to one decimal
    assert record["AgencySubelementCode"] == "AB12"


def test_duty_hours_round_half_up_to_one_decimal():
    assert str(duty_hours(None, 45)) == "0.8"
    assert str(duty_hours(None, 3)) == "0.1"
    assert str(duty_hours(None, 90)) == "1.5"


def test_the_produced_xml_is_valid_against_the_schema_and_has_no_ssn(
    world, reporting, django_capture_on_commit_callbacks
):
    export = produce(world, django_capture_on_commit_callbacks)
    assert export.status == FeedExport.Status.DONE, export.error
    xml = read(export.xml_file)
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), SCHEMA.error_log
    assert len(document.findall("{*}TrainingRecord")) == export.records == 1
    assert b"never stores them" in xml  # the notice travels in the file
    delimited = read(export.delimited_file).decode()
    assert delimited.splitlines()[0] == "|".join(RECORD_COLUMNS)
    for text in (xml.decode(), delimited):
        assert not SSN.search(text)
    names = {etree.QName(e).localname.lower() for e in document.iter(etree.Element)}
    names |= {column.lower() for column in delimited.splitlines()[0].split("|")}
    assert not {n for n in names if "ssn" in n or "social" in n or "birth" in n}


def test_the_schema_rejects_a_record_without_a_mandatory_field(
    world, reporting, django_capture_on_commit_callbacks
):
    export = produce(world, django_capture_on_commit_callbacks)
    document = etree.fromstring(read(export.xml_file))
    record = document.find("{*}TrainingRecord")
    record.remove(record.find("{*}TrainingPurposeType"))
    assert not SCHEMA.validate(document)


def test_edits_reject_an_uncoded_course_and_a_person_without_id_with_links(world, reporting):
    other = simple_course(world.platform_admin, None, slug="uncoded", title="Uncoded")
    complete(world.a_ops_learner, other)  # no employee id either
    start, end = this_month(world.a)
    feed = feed_build(agency=world.a, start=start, end=end)
    assert len(feed.records) == 1
    [rejection] = feed.rejections
    assert "the person has no employee id" in rejection.reasons
    assert "the course has no EHRI coding" in rejection.reasons
    assert rejection.fix_url == "/agency/ehri/employee-ids/"


def test_edits_name_the_missing_mandatory_field_with_a_link_to_the_course(world, reporting):
    course, _enrollment = reporting
    services.course_coding_save(
        actor=world.a_trainer, course=course, values={"training_purpose_type": ""}
    )
    start, end = this_month(world.a)
    [rejection] = feed_build(agency=world.a, start=start, end=end).rejections
    assert rejection.reasons == ["training purpose type is missing"]
    assert rejection.fix_url == f"/agency/ehri/courses/{course.pk}/"


def test_a_feed_without_the_subelement_code_fails_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    export = produce(world, django_capture_on_commit_callbacks)
    assert export.status == FeedExport.Status.FAILED
    assert "subelement code" in export.error


def test_a_completion_revoked_after_it_was_reported_is_listed_as_a_correction(
    world, reporting, django_capture_on_commit_callbacks
):
    _course, enrollment = reporting
    first = produce(world, django_capture_on_commit_callbacks)
    assert ReportedRecord.objects.filter(export=first).count() == 1
    world.a_learner.delete()  # the person's records are erased: the completion is gone
    second = produce(world, django_capture_on_commit_callbacks)
    assert second.records == 0 and second.corrections == 1
    lines = read(second.corrections_file).decode().splitlines()
    assert lines[1].startswith("revoked|E-1001|AI ethics|")
    third = produce(world, django_capture_on_commit_callbacks)
    assert third.corrections == 0  # listed once


def test_a_completion_whose_date_changed_is_a_correction(
    world, reporting, django_capture_on_commit_callbacks
):
    _course, enrollment = reporting
    produce(world, django_capture_on_commit_callbacks)
    # A data fix moves the completion a day earlier (no service changes a completion's date).
    Enrollment.objects.filter(pk=enrollment.pk).update(
        completed_at=enrollment.completed_at - __import__("datetime").timedelta(days=40)
    )
    second = produce(world, django_capture_on_commit_callbacks)
    assert second.corrections == 1
    assert read(second.corrections_file).decode().splitlines()[1].startswith("changed|")


def test_the_report_kind_gives_last_months_feed_for_a_whole_agency_only(world, reporting):
    rows = list(last_month_rows(DashboardScope(agency=world.a)))
    assert rows[0] == RECORD_COLUMNS
    with pytest.raises(ValueError):
        list(last_month_rows(DashboardScope(agency=world.a, unit=world.digital)))


def test_the_monthly_run_queues_last_months_feed_once(world, reporting):
    first = services.feeds_monthly()
    assert [e.agency_id for e in first] == [world.a.pk]
    assert services.feeds_monthly() == []
