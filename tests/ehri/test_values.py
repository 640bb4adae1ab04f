"""OPM's value lists (ehri.codes): the schema, the edits and the migration agree with them."""

import importlib
from pathlib import Path

from django.apps import apps
from lxml import etree

from ehri import codes
from ehri.models import CourseCoding

from ..builders import simple_course
from .conftest import code_course, complete, this_month

XSD = Path(codes.__file__).parent / "schema" / "training_feed.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"


def _schema_values(type_name):
    tree = etree.parse(str(XSD))
    node = tree.find(f"{XS}simpleType[@name='{type_name}']")
    return [e.get("value") for e in node.iter(f"{XS}enumeration")]


def test_the_schema_enumerates_exactly_the_value_lists_of_the_code():
    for type_name, choices in {
        "PurposeType": codes.PURPOSE_CHOICES,
        "TrainingType": codes.TYPE_CHOICES,
        "DeliveryType": codes.DELIVERY_CHOICES,
        "DesignationType": codes.DESIGNATION_CHOICES,
        "CreditType": codes.CREDIT_TYPE_CHOICES,
        "SourceType": codes.SOURCE_CHOICES,
        "Indicator": codes.INDICATOR_CHOICES,
    }.items():
        assert _schema_values(type_name) == [value for value, _label in choices], type_name


def _raw_update(course, **values):
    # A row as it stood before the value lists (free text), written past the service's checks.
    CourseCoding.objects.filter(course=course).update(**values)


def test_the_migration_maps_free_text_to_opms_values_and_keeps_what_it_cannot_map(world):
    migration = importlib.import_module("ehri.migrations.0002_opm_value_lists")
    course = simple_course(world.a_trainer, world.a, slug="c", title="C")
    code_course(world.a_trainer, course)
    _raw_update(
        course,
        training_purpose_type="program/mission change",
        training_delivery_type_code="e-learning",
        training_source_type_code="In-house",
        training_type_code="T1",
    )
    migration.map_free_text(apps, None)
    row = CourseCoding.objects.get(course=course)
    assert row.training_purpose_type == "Program/Mission Change"
    assert row.training_delivery_type_code == "Technology Based"
    assert row.training_source_type_code == "Government Internal"
    assert row.training_type_code == "T1"  # kept: the edits and the publish check name it


def test_the_edits_reject_a_value_outside_opms_list_and_a_credit_without_its_type(world, reporting):
    from ehri.feed import feed_build

    course, _enrollment = reporting
    _raw_update(course, training_type_code="T1", training_credit=2)
    start, end = this_month(world.a)
    feed = feed_build(agency=world.a, start=start, end=end)
    assert feed.records == []
    assert feed.rejections[0].reasons == [
        "training type code “T1” is not one of OPM's values",
        "training credit type code is missing (the training earns credit)",
    ]


def test_a_coded_course_reports_the_value_names(world, reporting):
    from ehri import services
    from ehri.feed import feed_build

    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=False
    )
    start, end = this_month(world.a)
    other = simple_course(world.a_trainer, world.a, slug="other", title="Other")
    code_course(world.a_trainer, other, training_delivery_type_code="Blended")
    complete(world.a_learner, other)
    records = feed_build(agency=world.a, start=start, end=end).records
    assert sorted(r["TrainingDeliveryTypeCode"] for r in records) == [
        "Blended",
        "Technology Based",
    ]
