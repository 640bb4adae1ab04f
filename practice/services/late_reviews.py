"""Reviews waiting longer than the agency's target, reminded to the people who can review them.

Practice decides who is owed a reminder; reminders sends it. `late_reviews_record` (registered
as the `record` of practice's `ReminderSource`, so reminders' scan task calls it every minute)
finds the submissions waiting for a review (handed in, or claimed by someone whose claim ran
out) longer than their agency's target, and writes one ReminderLog row per submission, attempt
and reviewer through `reminders.services.reminders_record` (key
`review_late:0:<attempt>:<submission>:<reviewer>`): a second or concurrent run writes nothing,
and a resubmission that waits too long again is a new threshold. A submission whose attempt
already has its reminders logged is left out in SQL (`reminders_logged`: an `Exists` on
ReminderLog by kind, object and period), so a run reads and drafts only what is newly late,
whatever the backlog; the reviewers reminded are therefore those of the moment the submission
became late (a reviewer named later is not reminded of it, but sees it in their queue). The
reviewers are the course's
named reviewers in the learner's agency, else the agency's trainers and admins (never the
learner themself, never another agency). `late_reviews_prepare` (the source's `prepare`) turns
a chunk of rows into messages, or says why one is moot (reviewed, resubmitted, being reviewed,
the recipient can no longer review it).
"""

from collections import defaultdict

from django.db.models import OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Membership, Role
from reminders.registries import ReminderMessage
from reminders.services import ReminderDraft, reminders_logged, reminders_record
from reminders.services.messages import absolute

from ..models import CourseReviewer, Submission, SubmissionStatus
from ..selectors import WAITING, late_q, review_target_hours

KIND = "review_late"  # reminders.models.Kind.REVIEW_LATE
KINDS = (KIND,)


def reviewers_for(pairs) -> dict[tuple[int, int], set[int]]:
    """{(agency id, course id): user ids who may review that agency's submissions of that
    course}: its named reviewers who are trainers or admins there, else all of those. Two
    queries whatever the number of pairs."""
    pairs = set(pairs)
    agencies = {agency_id for agency_id, _course in pairs}
    staff = defaultdict(set)
    for agency_id, user_id in Membership.objects.filter(
        agency_id__in=agencies,
        is_active=True,
        user__is_active=True,
        role__in=[Role.TRAINER, Role.AGENCY_ADMIN],
    ).values_list("agency_id", "user_id"):
        staff[agency_id].add(user_id)
    named = defaultdict(set)
    for agency_id, course_id, user_id in CourseReviewer.objects.filter(
        agency_id__in=agencies, course_id__in={course for _agency, course in pairs}
    ).values_list("agency_id", "course_id", "user_id"):
        named[(agency_id, course_id)].add(user_id)
    return {
        (agency_id, course_id): (
            named[(agency_id, course_id)] & staff[agency_id]
            if (agency_id, course_id) in named
            else staff[agency_id]
        )
        for agency_id, course_id in pairs
    }


def _waiting(now):
    """Submissions waiting for a review: handed in, or claimed by someone whose claim ran out."""
    return Submission.objects.filter(status__in=WAITING).exclude(
        status=SubmissionStatus.CLAIMED, claimed_until__gte=now
    )


def _reminded():
    """This attempt of the submission already has its late-review reminders logged (all of
    them: `reminders_record` writes a run's rows in one transaction)."""
    return reminders_logged(kind=KIND, object_id=OuterRef("pk"), period=OuterRef("attempt"))


def late_reviews_record(now=None) -> list[int]:
    """Record a reminder to each reviewer of every submission waiting longer than its agency's
    target, once per submission, attempt and reviewer; the rows written are sent after commit.
    Returns their ids. Submissions already reminded for their attempt are not read again, so a
    run with nothing newly late costs one query (two with the targets' cache cold), whatever
    the number of late submissions and reviewers."""
    now = now or timezone.now()
    rows = list(
        _waiting(now)
        .filter(late_q(now))
        .filter(~_reminded())
        .values("pk", "agency_id", "course_id", "user_id", "attempt")
    )
    if not rows:
        return []
    reviewers = reviewers_for((row["agency_id"], row["course_id"]) for row in rows)
    drafts = [
        ReminderDraft(
            kind=KIND,
            agency_id=row["agency_id"],
            recipient_id=reviewer_id,
            object_id=row["pk"],
            period=row["attempt"],
        )
        for row in rows
        for reviewer_id in sorted(reviewers[(row["agency_id"], row["course_id"])])
        if reviewer_id != row["user_id"]
    ]
    return reminders_record(drafts=drafts)


def _moot(log, submission, reviewers, now) -> str:
    if submission is None:
        return "submission deleted"
    if submission.status not in WAITING:
        return "reviewed"
    if submission.attempt != log.period:
        return "resubmitted"
    if submission.status == SubmissionStatus.CLAIMED and submission.claimed_until >= now:
        return "being reviewed"
    if log.recipient_id not in reviewers.get((submission.agency_id, submission.course_id), ()):
        return "no longer a reviewer of it"
    return ""


def _message(log, submission) -> ReminderMessage:
    agency = log.agency
    with (
        translation.override(agency.default_language or "en"),
        timezone.override(agency.time_zone or "UTC"),
    ):
        context = {
            "task": submission.task_title,
            "course": submission.course.title,
            "submitted_at": submission.submitted_at,
            "hours": review_target_hours(submission.agency_id),
            "url": absolute(reverse("practice:review", args=[submission.pk])),
        }
        subject = _("A practice task is waiting for its review: %(task)s") % {
            "task": submission.task_title
        }
        text = render_to_string("practice/email/review_late.txt", context)
    return ReminderMessage(subject=subject, text=text, url=context["url"])


def late_reviews_prepare(logs, now) -> dict:
    """For reminders' sender: per log id, the message or why it is moot (three queries)."""
    submissions = Submission.objects.select_related("course").in_bulk(
        {log.object_id for log in logs}
    )
    reviewers = reviewers_for((s.agency_id, s.course_id) for s in submissions.values())
    prepared = {}
    for log in logs:
        submission = submissions.get(log.object_id)
        reason = _moot(log, submission, reviewers, now)
        prepared[log.pk] = reason or _message(log, submission)
    return prepared
