"""Demo data for `seed_demo`: Demo Agency reports to OPM, its courses are coded and its people
have employee ids, so its completions export as a valid feed.

The demo courses are coded as online self-paced courses (ehri.codes.ONLINE_SELF_PACED) taken
to improve present performance, in the training program area.
"""

from django.db import transaction

from agencies.models import Agency, Membership
from live.models import LiveSession

from .codes import ONLINE_SELF_PACED
from .feed import courses_available
from .models import CourseCoding, EmployeeId, ReportingAgency, SessionCoding
from .sessions import session_default_coding

AGENCY = "demo-agency"
CODING = {
    **ONLINE_SELF_PACED,
    "training_purpose_type": "Improve/Maintain Present Performance",
    "training_type_code": "Training Program Area",
}


@transaction.atomic
def seed_ehri() -> dict:
    """Idempotent: the settings, one coding per course and per live session of the agency, an
    id per member."""
    agency = Agency.objects.filter(slug=AGENCY).first()
    if agency is None:
        return {"courses": 0, "sessions": 0, "people": 0}
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
    sessions = 0
    coded_sessions = SessionCoding.objects.filter(session__agency=agency, agency=agency).values(
        "session_id"
    )
    for session in LiveSession.objects.filter(agency=agency).exclude(pk__in=coded_sessions):
        coding = session_default_coding(session)
        coding.training_purpose_type = CODING["training_purpose_type"]
        coding.training_type_code = CODING["training_type_code"]
        coding.save()
        sessions += 1
    have = set(EmployeeId.objects.filter(agency=agency).values_list("user_id", flat=True))
    people = Membership.objects.filter(agency=agency).exclude(user_id__in=have)
    EmployeeId.objects.bulk_create(
        EmployeeId(agency=agency, user_id=user_id, employee_id=f"DEMO-{user_id:06d}", source="csv")
        for user_id in people.values_list("user_id", flat=True)
    )
    return {"courses": coded, "sessions": sessions, "people": people.count()}
