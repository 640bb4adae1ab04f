"""Assigning training: create, materialise in batches, apply to newcomers, remove."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for, members_visible_to, units_visible_to
from agencies.dates import agency_date
from agencies.models import Agency, AuditEvent, Membership
from agencies.selectors import ancestor_paths
from agencies.services import audit_record, audited, diff
from courses.access import course_available_to_agency_q
from courses.models import Course, LearningPath
from learning.models import EnrollmentStatus
from learning.services import enrollments_assign, enrollments_set_terms

from .. import conf
from ..access import can_remove_assignment
from ..models import (
    Assignee,
    Assignment,
    MaterialiseStatus,
    RecurAnchor,
    ReminderPolicy,
    TargetKind,
)
from ..policy import Policy
from ..registries import assignable_kind_of


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def assignment_courses(assignment: Assignment) -> list[Course]:
    """The courses an assignment puts people in, as its kind of item says (registered in
    reminders.registries.assignable_kinds): its course, or the path's courses in order."""
    return assignable_kind_of(assignment).courses(assignment)


def members_targeted(*, agency_id: int, target: str, unit=None, people=None):
    """Active memberships an assignment aimed at `target` reaches: the whole agency, everyone
    in `unit` and below, or `people` (users, their ids, or a queryset of them)."""
    members = Membership.objects.filter(agency_id=agency_id, is_active=True, user__is_active=True)
    if target == TargetKind.UNIT:
        return members.filter(unit__path__startswith=unit.path)
    if target == TargetKind.PEOPLE:
        return members.filter(user__in=people)
    return members


def _target_members(assignment: Assignment):
    return members_targeted(
        agency_id=assignment.agency_id,
        target=assignment.target,
        unit=assignment.unit,
        people=assignment.people.all(),
    )


def check_due_date(*, agency, due_on: datetime.date | None, now=None) -> None:
    """Refuse a fixed due date before the agency's today (at `now`, default now): nobody may
    be overdue on the day they are assigned. "N days after assignment" is always possible."""
    if due_on is not None and due_on < agency_date(agency.time_zone, now):
        raise ValidationError(
            {
                "due_on": [
                    _(
                        "The due date cannot be before today. For people assigned later, "
                        "choose a number of days from the day each person is assigned."
                    )
                ]
            }
        )


def assignment_check(
    *,
    actor,
    agency: Agency,
    course: Course | None = None,
    path: LearningPath | None = None,
    target: str,
    unit=None,
    people=(),
    due_on: datetime.date | None = None,
    due_days: int | None = None,
    recur_months: int | None = None,
    recur_anchor: str = "",
    now=None,
    **_ignored,
) -> tuple[str, int | None, str]:
    """Check an assignment the actor wants to make in `agency` (theirs), writing nothing;
    `assignment_create` and the preview (`selectors.assignment_preview`) both ask it. Refuses
    (ValidationError) anything outside the actor's scope, an unavailable course or path, a
    due date before the agency's today (at `now`) and incoherent due dates or recurrence.
    Returns (scope_path, recur_months, recur_anchor) as they are to be saved."""
    who = actor_for(actor)
    people = list(people)
    _require((course is None) != (path is None), _("Choose a course or a learning path."))
    _require(
        (due_on is None) != (due_days is None),
        _("Give either a due date or a number of days after assignment."),
    )
    _require(due_days is None or due_days >= 1, _("Give a number of days of at least 1."))
    check_due_date(agency=agency, due_on=due_on, now=now)
    _require(target in TargetKind.values, _("Choose who the training is for."))
    if course is not None:
        _require(
            Course.objects.filter(course_available_to_agency_q(agency.pk), pk=course.pk).exists(),
            _("This course is not available to your agency."),
        )
    else:
        _require(
            path.is_published and path.owner_id in (None, agency.pk),
            _("This learning path is not available to your agency."),
        )
    if target == TargetKind.AGENCY:
        _require(who.is_agency_admin, _("Only agency admins can assign to the whole agency."))
        scope_path = "/"
    elif target == TargetKind.UNIT:
        _require(
            unit is not None and units_visible_to(actor).filter(pk=unit.pk).exists(),
            _("Choose a unit that you manage."),
        )
        scope_path = unit.path
    else:
        _require(people, _("Choose at least one person."))
        visible = members_visible_to(actor).filter(user__in=people, is_active=True).count()
        _require(visible == len({p.pk for p in people}), _("Choose people that you manage."))
        scope_path = "/" if who.is_agency_admin else who.unit_path
    if recur_months:
        _require(recur_anchor in RecurAnchor.values, _("Choose what the repetition follows."))
        _require(
            recur_anchor != RecurAnchor.CALENDAR or due_on is not None,
            _("A calendar repetition needs a due date."),
        )
        return scope_path, recur_months, recur_anchor
    return scope_path, None, ""


def assignment_create(
    *,
    actor,
    course: Course | None = None,
    path: LearningPath | None = None,
    target: str,
    unit=None,
    people=(),
    due_on: datetime.date | None = None,
    due_days: int | None = None,
    required: bool = True,
    recur_months: int | None = None,
    recur_anchor: str = "",
    ip=None,
    now=None,
) -> Assignment:
    """Assign a course or path; returns at once, people are enrolled by a Celery task.

    Managers assign to units they manage or people in them; agency admins also to the whole
    agency. Refuses (ValidationError, audited) what `assignment_check` refuses: anything
    outside the actor's scope, an unavailable course or path, a fixed due date before the
    agency's today, and incoherent due dates or recurrence. `now` is the moment of assigning
    (default now; seeders pass an earlier one to build history): the people of this first
    enrollment count as assigned then, whenever the background task reaches them.
    """
    who = actor_for(actor)
    people = list(people)
    agency = Agency.objects.filter(pk=who.agency_id).first()
    if not who.manages_people or agency is None:
        raise ValidationError(_("You cannot assign training."))
    with audited(
        actor=actor,
        agency=agency,
        action="assignment.create",
        target=str(course or path or ""),
        ip=ip,
        detail={"target": target},
        changes=diff(
            {},
            {
                "course": str(course) if course is not None else None,
                "path": str(path) if path is not None else None,
                "target": target,
                "unit": unit.name if unit is not None and target == TargetKind.UNIT else None,
                "due_on": due_on,
                "due_days": due_days,
                "required": bool(required),
                "recur_months": recur_months or None,
            },
        ),
    ):
        scope_path, recur_months, recur_anchor = assignment_check(
            actor=actor,
            agency=agency,
            course=course,
            path=path,
            target=target,
            unit=unit,
            people=people,
            due_on=due_on,
            due_days=due_days,
            recur_months=recur_months,
            recur_anchor=recur_anchor,
            now=now,
        )
        assignment = Assignment.objects.create(
            agency=agency,
            course=course,
            path=path,
            target=target,
            unit=unit if target == TargetKind.UNIT else None,
            scope_path=scope_path,
            due_on=due_on,
            due_days=due_days,
            required=required,
            recur_months=recur_months,
            recur_anchor=recur_anchor,
            created_by=actor,
        )
        if now is not None:
            # auto_now_add stamps the insert; the moment of assigning is the one given.
            Assignment.objects.filter(pk=assignment.pk).update(created_at=now)
            assignment.created_at = now
        if target == TargetKind.PEOPLE:
            assignment.people.set(people)
        assignment.people_total = _target_members(assignment).count()
        assignment.save(update_fields=["people_total"])
        from ..tasks import assignment_materialise_task  # tasks.py imports this package

        transaction.on_commit(lambda: assignment_materialise_task.delay(assignment.pk))
    return assignment


def due_for(assignment: Assignment, policy: Policy, assigned_at) -> datetime.date:
    """The due date of someone the assignment reaches at `assigned_at`: N days after that day
    (relative assignments); the assignment's date, unless it has passed by then, when they get
    REMINDERS_LATE_JOIN_DAYS from that day. Nobody is overdue on the day they are assigned."""
    day = policy.today(assigned_at)
    if assignment.due_days is not None:
        return day + datetime.timedelta(days=assignment.due_days)
    if assignment.due_on < day:
        # Joined (or moved in) after the date had passed: their own date, no instant notice.
        return day + datetime.timedelta(days=conf.late_join_days())
    return assignment.due_on


def _materialise(
    assignment: Assignment,
    members: list[dict],
    courses: list[Course],
    now,
    *,
    due_on: datetime.date,
    assigned_at,
    assigned_on: datetime.date,
) -> None:
    """Enroll `members` ({user_id, unit_id, unit__path}) in `courses` (learning's bulk
    service) and add their Assignee rows, assigned at `assigned_at` (the agency's day
    `assigned_on`). The Assignee insert is a no-op for rows that exist (one per assignment and
    enrollment), so a retried batch changes nothing twice."""
    pairs = [(m["user_id"], m["unit_id"]) for m in members]
    paths = {m["user_id"]: m["unit__path"] or "" for m in members}
    for course in courses:
        enrollments = enrollments_assign(
            agency_id=assignment.agency_id,
            course=course,
            members=pairs,
            required=assignment.required,
            due_on=due_on,
            context={"assignment": assignment.pk},
        )
        Assignee.objects.bulk_create(
            [
                Assignee(
                    assignment=assignment,
                    enrollment_id=pk,
                    user_id=uid,
                    agency_id=assignment.agency_id,
                    unit_path=paths[uid],
                    required=assignment.required,
                    assigned_at=assigned_at,
                    period=1,
                    period_start=assigned_on,
                    due_on=due_on,
                    next_remind_at=now,
                )
                for uid, pk in enrollments.items()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )


def _policy_for(agency) -> Policy:
    return Policy.for_agency(agency, ReminderPolicy.objects.filter(agency=agency).first())


def assignment_materialise_batch(*, assignment_id: int, batch_size: int | None = None) -> bool:
    """Enroll the next batch of people (by user id); True when the assignment is complete.

    Each batch commits on its own with the cursor and the progress count, so the manager sees
    progress and a killed worker resumes where it stopped.
    """
    batch_size = batch_size or conf.materialise_batch()
    now = timezone.now()
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("agency", "unit")
            .filter(pk=assignment_id)
            .first()
        )
        if assignment is None or not assignment.is_active:
            return True
        if assignment.status == MaterialiseStatus.DONE:
            return True
        members = list(
            _target_members(assignment)
            .filter(user_id__gt=assignment.cursor_user_id)
            .order_by("user_id")
            .values("user_id", "unit_id", "unit__path")[:batch_size]
        )
        if members:
            courses = assignment_courses(assignment)
            # Everyone of the first enrollment was assigned when the assignment was made,
            # however late the background task reaches them.
            policy = _policy_for(assignment.agency)
            assigned_at = assignment.created_at
            _materialise(
                assignment,
                members,
                courses,
                now,
                due_on=due_for(assignment, policy, assigned_at),
                assigned_at=assigned_at,
                assigned_on=policy.today(assigned_at),
            )
            assignment.cursor_user_id = members[-1]["user_id"]
            assignment.people_done += len(members)
        done = len(members) < batch_size
        assignment.status = MaterialiseStatus.DONE if done else MaterialiseStatus.RUNNING
        assignment.people_total = max(assignment.people_total, assignment.people_done)
        assignment.save(update_fields=["cursor_user_id", "people_done", "status", "people_total"])
    return done


def assignments_unfinished(*, now=None) -> list[int]:
    """Live assignments still materialising REMINDERS_REQUEUE_PENDING_SECONDS after they were
    made: their task was most likely lost (a broker restarted without persistence, a database
    outage), so the sweep hands them to a new one. A task still at work loses nothing to a
    second one: each batch locks the assignment and resumes from its cursor."""
    now = now or timezone.now()
    lost = now - datetime.timedelta(seconds=conf.requeue_after_seconds())
    return list(
        Assignment.objects.filter(removed_at__isnull=True, created_at__lt=lost)
        .exclude(status=MaterialiseStatus.DONE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def assignments_apply_to_member(*, membership: Membership) -> int:
    """Give a member who joined (or moved to) a unit its standing assignments, with their own
    due dates. Safe to call twice. Returns how many assignments reached them."""
    if not membership.is_active or membership.role is None:
        return 0
    paths = ancestor_paths(membership.unit.path) if membership.unit_id else []
    standing = (
        Assignment.objects.filter(agency_id=membership.agency_id, removed_at__isnull=True)
        .filter(Q(target=TargetKind.AGENCY) | Q(target=TargetKind.UNIT, unit__path__in=paths))
        .exclude(assignees__user_id=membership.user_id)
        .select_related("agency", "unit")
        .distinct()
    )
    member = {
        "user_id": membership.user_id,
        "unit_id": membership.unit_id,
        "unit__path": membership.unit.path if membership.unit_id else "",
    }
    now = timezone.now()
    count = 0
    for assignment in standing:
        with transaction.atomic():
            policy = _policy_for(assignment.agency)
            _materialise(
                assignment,
                [member],
                assignment_courses(assignment),
                now,
                due_on=due_for(assignment, policy, now),
                assigned_at=now,
                assigned_on=policy.today(now),
            )
        count += 1
    return count


def assignees_follow_member(*, user_id: int, unit_path: str) -> int:
    """Point a person's Assignee rows at their new unit's path ("": no unit), so the managers
    who see them (by `unit_path`) are those of the unit they are in now. Returns rows changed."""
    return (
        Assignee.objects.filter(user_id=user_id)
        .exclude(unit_path=unit_path)
        .update(unit_path=unit_path)
    )


def assignees_follow_unit_move(*, agency_id: int, old_path: str, new_path: str) -> int:
    """After a unit moved (its subtree's paths changed from `old_path` to `new_path`), rewrite
    the Assignee rows below it the same way. Returns rows changed."""
    if old_path == new_path:
        return 0
    return Assignee.objects.filter(agency_id=agency_id, unit_path__startswith=old_path).update(
        unit_path=Concat(Value(new_path), Substr(F("unit_path"), len(old_path) + 1))
    )


def _release_open_enrollments(assignment: Assignment) -> None:
    """Open enrollments of a removed assignment keep only what other live assignments ask.

    Required and due date come from the remaining active assignments of each enrollment; with
    none left, the training becomes optional with no due date. Completed enrollments keep their
    history untouched (learning's `enrollments_set_terms` leaves them alone).
    """
    open_ids = list(
        Assignee.objects.filter(assignment=assignment)
        .exclude(enrollment__status=EnrollmentStatus.COMPLETED)
        .values_list("enrollment_id", flat=True)
    )
    enrollments_follow_assignments(enrollment_ids=open_ids)


def enrollments_follow_assignments(*, enrollment_ids) -> int:
    """Set each open enrollment's (required, due date) to what its live assignments ask now:
    required when any active Assignee row of a live assignment is, due on the earliest of
    their dates; with none left (removed, exempted), optional with no due date. Completed
    enrollments keep their history (learning's `enrollments_set_terms`). Returns how many
    changed. Two queries here, whatever the number of enrollments, plus learning's."""
    enrollment_ids = list(enrollment_ids)
    if not enrollment_ids:
        return 0
    wanted = {pk: (False, None) for pk in enrollment_ids}
    for pk, required, due_on in Assignee.objects.filter(
        enrollment_id__in=enrollment_ids, is_active=True, assignment__removed_at__isnull=True
    ).values_list("enrollment_id", "required", "due_on"):
        was_required, was_due = wanted[pk]
        wanted[pk] = (
            was_required or required,
            min((d for d in (was_due, due_on) if d), default=None),
        )
    return enrollments_set_terms(wanted=wanted)


def assignment_remove(*, actor, assignment: Assignment, ip=None) -> Assignment:
    """Remove an assignment: its reminders stop, enrollments and the reminder log stay."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.removed_at is not None:
            return assignment
        _require(
            can_remove_assignment(actor, assignment),
            _(
                "Only the person who made this assignment, a manager above them or an agency "
                "administrator can remove it."
            ),
        )
        assignment.removed_at, assignment.removed_by = timezone.now(), actor
        assignment.save(update_fields=["removed_at", "removed_by"])
        Assignee.objects.filter(assignment=assignment).update(is_active=False, next_remind_at=None)
        _release_open_enrollments(assignment)
        audit_record(
            actor=actor,
            agency=assignment.agency,
            action="assignment.remove",
            target=str(assignment),
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail={"assignment": assignment.pk},
            changes={"status": ["active", "removed"]},
        )
    return assignment
