"""What an assignment would do, before it is made: a dry run of `assignment_create`.

It lives beside the service rather than among the selectors because it must refuse exactly
what the service refuses (`assignment_check`), and writes nothing.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import actor_for
from agencies.dates import agency_date
from agencies.models import Agency
from learning.models import Enrollment, EnrollmentStatus

from .. import conf
from ..models import Assignment, ReminderPolicy
from ..policy import Policy
from ..registries import assignable_kind_of
from .assignments import assignment_check, members_targeted

PREVIEW_NAMES = 20


@dataclass(frozen=True)
class ReminderLine:
    """One reminder a person will receive: what, and when (a date, or a rule)."""

    text: str
    on: datetime.date | None = None


def _reminder_lines(policy: Policy, *, due_on, required, today) -> list[ReminderLine]:
    lines = []
    for days in policy.before_days:
        text = ngettext(
            "Coming due: %(days)d day before the due date",
            "Coming due: %(days)d days before the due date",
            days,
        ) % {"days": days}
        when = due_on - datetime.timedelta(days=days) if due_on else None
        if when is None or when >= today:
            lines.append(ReminderLine(text, when))
    if due_on and any(due_on - datetime.timedelta(days=d) < today for d in policy.before_days):
        lines.insert(0, ReminderLine(_("Coming due: one notice at once, as the date is near")))
    if policy.on_due_date:
        lines.append(ReminderLine(_("Due today: on the due date"), due_on))
    lines.append(
        ReminderLine(
            ngettext(
                "Overdue: every day after the due date until it is completed",
                "Overdue: every %(days)d days after the due date until it is completed",
                policy.overdue_every_days,
            )
            % {"days": policy.overdue_every_days},
            due_on + datetime.timedelta(days=policy.overdue_every_days) if due_on else None,
        )
    )
    if required:
        lines.append(
            ReminderLine(
                ngettext(
                    "Their manager is told once they are %(days)d day overdue",
                    "Their manager is told once they are %(days)d days overdue",
                    policy.escalate_after_days,
                )
                % {"days": policy.escalate_after_days},
                due_on + datetime.timedelta(days=policy.escalate_after_days) if due_on else None,
            )
        )
    return lines


def assignment_preview(*, actor, now=None, limit: int = PREVIEW_NAMES, **terms) -> dict:
    """What `assignment_create(actor=actor, **terms)` would do, writing nothing.

    Refuses (ValidationError) what the service refuses. Returns: `people` (how many it
    reaches), `names` (the first `limit` of them: name, email, unit), `courses` (per course:
    how many of those people have already completed it or are already enrolled in it),
    `due_on` (the date each of them gets: the assignment's, or today + N days), `due_days`,
    `late_join_days`, `required`, and `reminders` (ReminderLine rows from the agency's
    policy). A constant number of queries whatever the number of people.
    """
    who = actor_for(actor)
    agency = Agency.objects.get(pk=who.agency_id)
    assignment_check(actor=actor, agency=agency, now=now, **terms)
    people = terms.get("people") or ()
    members = members_targeted(
        agency_id=agency.pk,
        target=terms["target"],
        unit=terms.get("unit"),
        people=[person.pk for person in people],
    )
    names = list(
        members.order_by("user__full_name", "user__email").values(
            "user__full_name", "user__email", "unit__name"
        )[:limit]
    )
    total = members.count()
    unsaved = Assignment(agency=agency, course=terms.get("course"), path=terms.get("path"))
    courses = assignable_kind_of(unsaved).courses(unsaved)
    counts = {
        row["course_id"]: row
        for row in Enrollment.objects.filter(
            course_id__in=[course.pk for course in courses],
            user_id__in=members.values("user_id"),
        )
        .values("course_id")
        .annotate(
            completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
            enrolled=Count("pk", filter=~Q(status=EnrollmentStatus.COMPLETED)),
        )
    }
    policy = Policy.for_agency(agency, ReminderPolicy.objects.filter(agency=agency).first())
    today = agency_date(agency.time_zone, now)
    due_days = terms.get("due_days")
    due_on = terms.get("due_on") or today + datetime.timedelta(days=due_days)
    required = terms.get("required", True)
    return {
        "people": total,
        "names": names,
        "more": max(0, total - len(names)),
        "courses": [
            {
                "course": course,
                "completed": counts.get(course.pk, {}).get("completed", 0),
                "enrolled": counts.get(course.pk, {}).get("enrolled", 0),
            }
            for course in courses
        ],
        "due_on": due_on,
        "due_days": due_days,
        "late_join_days": conf.late_join_days(),
        "required": required,
        "reminders": _reminder_lines(policy, due_on=due_on, required=required, today=today),
    }
