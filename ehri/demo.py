"""Demo data for `seed_demo`: Demo Agency reports to OPM, its courses are coded and its people
have employee ids, so its completions export as a valid feed.

The type codes here are demo placeholders ("DEMO1"...), not OPM's codes: Academy could not
confirm OPM's value lists (docs/ehri.md). Replace them with your HR office's codes.
"""

from django.db import transaction

from agencies.models import Agency, Membership

from .feed import courses_available
from .models import CourseCoding, EmployeeId, ReportingAgency

AGENCY = "demo-agency"
PLACEHOLDERS = {
    "training_purpose_type": "DEMO1",
    "training_type_code": "DEMO1",
    "training_delivery_type_code": "DEMO1",
    "training_source_type_code": "DEMO1",
}


@transaction.atomic
def seed_ehri() -> dict:
    """Idempotent: the settings, one coding per course of the agency, an id per member."""
    agency = Agency.objects.filter(slug=AGENCY).first()
    if agency is None:
        return {"courses": 0, "people": 0}
    # The demo's trainers publish new courses in the studio journeys: no coding required there.
    ReportingAgency.objects.get_or_create(
        agency=agency, defaults={"subelement_code": "DEMO", "require_coding": False}
    )
    coded = 0
    for course in courses_available(agency.pk):
        _row, created = CourseCoding.objects.get_or_create(
            course=course,
            agency=agency,
            defaults={**PLACEHOLDERS, "course_number_code": course.slug[:40]},
        )
        coded += created
    have = set(EmployeeId.objects.filter(agency=agency).values_list("user_id", flat=True))
    people = Membership.objects.filter(agency=agency).exclude(user_id__in=have)
    EmployeeId.objects.bulk_create(
        EmployeeId(agency=agency, user_id=user_id, employee_id=f"DEMO-{user_id:06d}", source="csv")
        for user_id in people.values_list("user_id", flat=True)
    )
    return {"courses": coded, "people": people.count()}
