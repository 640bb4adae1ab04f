"""Coding, the publish check, overrides, employee ids (never SSNs), rights across agencies."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from courses import services as course_services
from ehri import services
from ehri.models import CourseCoding, EmployeeId

from ..builders import simple_course
from .conftest import CODES, code_course

pytestmark = pytest.mark.django_db


def test_a_reporting_agencys_course_cannot_be_published_without_its_purpose_type(world):
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=True
    )
    course = course_services.course_create(
        actor=world.a_trainer,
        agency=world.a,
        title="Records",
        slug="records",
        summary="s",
        level="beginner",
        estimated_minutes=60,
        topics=[],
        outcomes=[],
    )
    module = course_services.module_create(actor=world.a_trainer, course=course, title="M")
    course_services.lesson_create(
        actor=world.a_trainer, module=module, title="L", key="l", body="Text.", estimated_minutes=5
    )
    code_course(world.a_trainer, course, training_purpose_type="")
    with pytest.raises(ValidationError) as refused:
        course_services.course_publish(actor=world.a_trainer, course=course)
    assert (
        "This course cannot be reported to OPM: training purpose type is missing."
        in refused.value.messages
    )
    code_course(world.a_trainer, course)
    course_services.course_publish(actor=world.a_trainer, course=course)


def test_an_agency_that_does_not_report_publishes_without_coding(world):
    simple_course(world.b_admin, world.b, slug="plain", title="Plain")


def test_defaults_of_an_online_course_say_no_accreditation_and_no_agreement(world):
    course = simple_course(world.a_trainer, world.a, slug="c", title="C")
    coding = services.course_coding_save(actor=world.a_trainer, course=course, values={})
    assert coding.training_accreditation_indicator == "N"
    assert coding.continued_service_agreement_required_indicator == "N"
    assert coding.course_number_code == "c" and coding.duty_hours is None


def test_a_value_outside_opms_list_is_refused_and_nothing_is_saved(world):
    course = simple_course(world.a_trainer, world.a, slug="c", title="C")
    with pytest.raises(ValidationError):
        code_course(world.a_trainer, course, training_type_code="T1")
    with pytest.raises(ValidationError):
        code_course(world.a_trainer, course, training_sub_type_code="no spaces!")
    assert not CourseCoding.objects.filter(course=course).exists()


def test_the_defaults_of_an_online_course_are_technology_based_and_in_house(world):
    course = simple_course(world.a_trainer, world.a, slug="c", title="C")
    coding = services.course_coding_save(actor=world.a_trainer, course=course, values={})
    assert coding.training_delivery_type_code == "Technology Based"
    assert coding.training_source_type_code == "Government Internal"
    assert coding.training_purpose_type == ""  # the trainer's choice: no default fits all


def test_an_agency_overrides_a_shared_course_without_touching_the_owners_coding(world):
    course = simple_course(world.platform_admin, None, slug="shared", title="Shared")
    course_services.course_update(
        actor=world.platform_admin,
        course=course,
        expected_revision=course.draft_revision,
        visibility="all",
    )
    code_course(world.a_admin, course, training_type_code="Basic Training Area")
    code_course(world.b_admin, course, training_type_code="Developmental Training")
    codes = dict(
        CourseCoding.objects.filter(course=course).values_list("agency_id", "training_type_code")
    )
    assert codes == {world.a.pk: "Basic Training Area", world.b.pk: "Developmental Training"}


def test_another_agency_or_a_learner_cannot_code_the_course(world):
    course = simple_course(world.a_trainer, world.a, slug="mine", title="Mine")
    for outsider in (world.b_learner, world.b_admin, world.a_learner):
        with pytest.raises(PermissionDenied):
            services.course_coding_save(actor=outsider, course=course, values=CODES)


def test_employee_id_csv_is_checked_whole_before_anything_is_written(world):
    text = "email,employee_id\nlearner@a.gov,E-1\nnobody@a.gov,E-2\n"
    with pytest.raises(ValidationError) as refused:
        services.employee_ids_import(actor=world.a_admin, agency=world.a, text=text)
    assert any("Line 3" in message for message in refused.value.messages)
    assert not EmployeeId.objects.exists()
    text = "email,employee_id\nlearner@a.gov,E-1\nops@a.gov,E-2\n"
    assert services.employee_ids_import(actor=world.a_admin, agency=world.a, text=text) == 2
    assert EmployeeId.objects.get(user=world.a_learner).employee_id == "E-1"


def test_a_social_security_number_is_never_stored(world):
    for ssn in ("123-45-6789", "123456789"):
        with pytest.raises(ValidationError):
            services.employee_ids_import(
                actor=world.a_admin, agency=world.a, text=f"email,employee_id\nops@a.gov,{ssn}\n"
            )
        with pytest.raises(ValidationError):
            services.employee_id_set(
                actor=world.a_admin, agency=world.a, user_id=world.a_ops_learner.pk, employee_id=ssn
            )
    assert not EmployeeId.objects.exists()


def test_an_admin_cannot_import_ids_for_another_agencys_people(world):
    with pytest.raises(ValidationError):
        services.employee_ids_import(
            actor=world.b_admin, agency=world.b, text="email,employee_id\nlearner@a.gov,E-9\n"
        )
    with pytest.raises(PermissionDenied):
        services.employee_ids_import(
            actor=world.b_admin, agency=world.a, text="email,employee_id\nlearner@a.gov,E-9\n"
        )
