import datetime

import pytest
from django.utils import timezone

from ehri import services
from learning import services as learning

from ..builders import finish_course, simple_course

CODES = {
    "training_purpose_type": "New Work Assignment",
    "training_type_code": "Developmental Training",
    "training_delivery_type_code": "Technology Based",
    "training_source_type_code": "Government Internal",
}


def code_course(actor, course, **values):
    return services.course_coding_save(actor=actor, course=course, values={**CODES, **values})


def complete(user, course):
    return finish_course(learning.enrollment_create(user=user, course=course))


def this_month(agency):
    today = timezone.localdate()
    return today.replace(day=1), today + datetime.timedelta(days=1)


@pytest.fixture
def reporting(world):
    """Agency A reports to OPM; a coded course of A completed by A's learner, who has an id."""
    course = simple_course(world.a_trainer, world.a, slug="ethics", title="AI ethics")
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=True
    )
    code_course(world.a_trainer, course)
    services.employee_id_set(
        actor=world.a_admin, agency=world.a, user_id=world.a_learner.pk, employee_id="E-1001"
    )
    enrollment = complete(world.a_learner, course)
    return course, enrollment
