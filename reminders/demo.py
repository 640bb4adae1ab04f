"""Demo assignments for `seed_demo`: due dates in the past and the future, so that the worker
sends reminders (to the console or var/mail) within a minute of `make run`.

Built through the services; idempotent (an agency that already has assignments is left alone).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.dates import agency_date
from agencies.models import Agency, Unit
from courses.models import Course, Status

from . import services
from .models import Assignment, RecurAnchor, TargetKind

# (actor email, course slug, target, unit name, due offset in days, required, recurrence months)
# learner@demo.gov (Data Team) is left alone: the learner journey keeps its own demo state.
PLAN = [
    (
        "manager@demo.gov",
        "protecting-sensitive-information",
        TargetKind.UNIT,
        "Web Team",
        -8,
        True,
        None,
    ),  # overdue past the escalation: reminders and a manager escalation
    (
        "manager@demo.gov",
        "records-transparency-disclosure",
        TargetKind.UNIT,
        "Web Team",
        0,
        True,
        None,
    ),  # due today
    ("agencyadmin@demo.gov", "checking-ai-output", TargetKind.UNIT, "Operations", 7, True, 12),
    ("agencyadmin@demo.gov", "advanced-features", TargetKind.UNIT, "Policy", 1, False, None),
]


def seed_assignments(*, agency_slug="demo-agency") -> int:
    agency = Agency.objects.get(slug=agency_slug)
    if Assignment.objects.filter(agency=agency).exists():
        return 0
    today = agency_date(agency.time_zone)
    created = []
    for email, slug, target, unit_name, offset, required, recur in PLAN:
        course = Course.objects.filter(slug=slug, status=Status.PUBLISHED).first()
        actor = User.objects.filter(email=email).first()
        if course is None or actor is None:
            continue
        unit = Unit.objects.get(agency=agency, name=unit_name) if unit_name else None
        with transaction.atomic():
            assignment = services.assignment_create(
                actor=actor,
                course=course,
                target=target,
                unit=unit,
                due_on=today + datetime.timedelta(days=offset),
                required=required,
                recur_months=recur,
                recur_anchor=RecurAnchor.CALENDAR if recur else "",
                # A date already past is only possible for an assignment made earlier: the
                # demo makes those a month ago, so their people are overdue for real.
                now=timezone.now() - datetime.timedelta(days=30) if offset < 0 else None,
            )
        created.append(assignment)
    # Enrolled now rather than by the worker, so the first scan already finds everyone.
    for assignment in created:
        while not services.assignment_materialise_batch(assignment_id=assignment.pk):
            pass
    return len(created)


def seed_certificate_refreshers() -> int:
    """The demo's expiring certificates (learning's seeder) get their "certificate expiring"
    reminder and refresher now, as the hourly beat would; how many reminders were written."""
    return len(services.expiry_reminders_record())
