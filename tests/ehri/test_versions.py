"""The owner's coding travels with the course: frozen per published version, and in bundles."""

import io
import zipfile

import pytest
import yaml
from django.core.exceptions import ValidationError

from courses import services as course_services
from courses.bundles import BundleError, bundle_export, bundle_files, bundle_import
from courses.models import Course
from ehri import services
from ehri.feed import feed_build
from ehri.models import CourseCoding, VersionCoding
from ehri.versions import coding_values

from ..builders import simple_course
from .conftest import code_course, complete, this_month


@pytest.fixture
def coded(world):
    course = simple_course(world.a_trainer, world.a, slug="ethics", title="AI ethics")
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=True
    )
    for person, number in ((world.a_learner, "E-1"), (world.a_manager, "E-2")):
        services.employee_id_set(
            actor=world.a_admin, agency=world.a, user_id=person.pk, employee_id=number
        )
    code_course(
        world.a_trainer,
        course,
        duty_hours="2.5",
        training_credit="1.50",
        training_credit_type_code="Continuing Education Unit",
    )
    return course


def _delivery_by_person(world):
    start, end = this_month(world.a)
    feed = feed_build(agency=world.a, start=start, end=end)
    assert feed.rejections == []
    return {r["EmployeeIdentifier"]: r["TrainingDeliveryTypeCode"] for r in feed.records}


def test_a_completion_is_reported_with_the_coding_of_the_version_completed(world, coded):
    course = coded
    course_services.course_publish(actor=world.a_trainer, course=course)  # v2, frozen coded
    complete(world.a_learner, course)
    code_course(world.a_trainer, course, training_delivery_type_code="Blended")
    assert _delivery_by_person(world) == {"E-1": "Technology Based"}  # v2's, not the draft's

    course_services.course_publish(actor=world.a_trainer, course=course)  # v3 frozen Blended
    complete(world.a_manager, course)
    assert _delivery_by_person(world) == {"E-1": "Technology Based", "E-2": "Blended"}
    assert VersionCoding.objects.count() == 2


def test_an_incomplete_coding_is_not_frozen_and_the_feed_uses_the_current_one(world):
    course = simple_course(world.a_trainer, world.a, slug="c", title="C")
    code_course(world.a_trainer, course, training_purpose_type="")
    course_services.course_publish(actor=world.a_trainer, course=course)
    assert not VersionCoding.objects.exists()


def _manifest(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return yaml.safe_load(archive.read("course.yaml"))


def test_the_bundle_carries_the_versions_coding_and_the_round_trip_is_exact(world, coded):
    course = coded
    course_services.course_publish(actor=world.a_trainer, course=course)
    course.refresh_from_db()
    published = coding_values(VersionCoding.objects.get(version=course.current_version))
    code_course(world.a_trainer, course, training_delivery_type_code="Blended")

    data = bundle_export(course, draft=False)
    section = _manifest(data)["ehri"]
    assert section == published
    assert section["duty_hours"] == "2.5" and section["training_credit"] == "1.50"
    assert _manifest(bundle_export(course, draft=True))["ehri"]["training_delivery_type_code"] == (
        "Blended"
    )

    bundle_import(io.BytesIO(data), actor=world.a_trainer, agency=world.a)
    owner = CourseCoding.objects.get(course=course, agency=world.a)
    assert coding_values(owner) == published
    assert _manifest(bundle_export(course, draft=True))["ehri"] == section


def test_a_bundle_with_a_wrong_ehri_section_is_refused_and_nothing_is_written(world, coded):
    data = bundle_export(coded, draft=True)
    manifest = _manifest(data)
    manifest["slug"] = "other"
    manifest["ehri"] = {"training_type_code": "T1", "colour": "blue", "duty_hours": "0"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            target.writestr(name, yaml.safe_dump(manifest) if name == "course.yaml" else body)
    with pytest.raises(BundleError) as refused:
        bundle_import(io.BytesIO(buffer.getvalue()), actor=world.a_trainer, agency=world.a)
    text = "\n".join(refused.value.problems)
    assert "ehri: colour: unknown EHRI field" in text
    assert "training_type_code" in text and "duty_hours: must be more than zero" in text
    assert not Course.objects.filter(slug="other").exists()


def test_the_export_refuses_a_coding_its_import_would_refuse(world, coded):
    CourseCoding.objects.filter(course=coded).update(training_type_code="T1")
    with pytest.raises(ValidationError) as refused:
        bundle_files(coded, draft=True)
    assert "course.yaml: ehri: training_type_code" in refused.value.messages[0]


def test_a_platform_course_carries_no_ehri_section(world):
    course = simple_course(world.platform_admin, None, slug="p", title="P")
    assert "ehri" not in _manifest(bundle_export(course, draft=True))
