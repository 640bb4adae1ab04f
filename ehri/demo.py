"""Demo data for `seed_demo`: Demo Agency reports to OPM, its courses are coded and its people
have employee ids, so its completions export as a valid feed.

The demo courses are coded as online self-paced courses (ehri.codes.ONLINE_SELF_PACED) taken
to improve present performance, in the training program area.
"""

from django.db import transaction

from agencies.models import Agency, Membership

from .codes import ONLINE_SELF_PACED
from .feed import courses_available
from .models import CourseCoding, EmployeeId, ReportingAgency

AGENCY = "demo-agency"
CODING = {
    **ONLINE_SELF_PACED,
    "training_purpose_type": "Improve/Maintain Present Performance",
    "training_type_code": "Training Program Area",
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
            defaults={**CODING, "course_number_code": course.slug[:40]},
        )
        coded += created
    have = set(EmployeeId.objects.filter(agency=agency).values_list("user_id", flat=True))
    people = Membership.objects.filter(agency=agency).exclude(user_id__in=have)
    EmployeeId.objects.bulk_create(
        EmployeeId(agency=agency, user_id=user_id, employee_id=f"DEMO-{user_id:06d}", source="csv")
        for user_id in people.values_list("user_id", flat=True)
    )
    return {"courses": coded, "people": people.count()}
