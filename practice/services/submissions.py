"""The learner's side: a draft saved as often as they like, files handed in, submitting."""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.conf import limit
from courses.services.authoring import IMAGE_MAGIC
from learning import services as learning_services
from learning.content import outline
from learning.models import Verb

from ..models import Submission, SubmissionFile, SubmissionStatus

MAX_FILES = 5
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def task_for(enrollment, key: str) -> dict | None:
    """The practice task `key` of the enrollment's version, or None."""
    return outline(enrollment.version.snapshot).practice.get(key)


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def _task(enrollment, key) -> dict:
    task = task_for(enrollment, key)
    _require(task is not None, _("This practice task is not part of the course."))
    return task


def submission_for(*, enrollment, task_key: str) -> Submission:
    """The learner's submission for this task in the enrollment's current period, created
    (empty draft) on first use: a reopened enrollment starts a new one, the earlier period's
    stays as it was."""
    task = _task(enrollment, task_key)
    submission, _created = Submission.objects.get_or_create(
        enrollment=enrollment,
        period=enrollment.period,
        task_key=task_key,
        defaults={
            "user_id": enrollment.user_id,
            "agency_id": enrollment.agency_id,
            "course_id": enrollment.course_id,
            "task_title": task["title"],
            "task": task,
        },
    )
    return submission


def _locked(enrollment, task_key) -> Submission:
    submission = submission_for(enrollment=enrollment, task_key=task_key)
    return Submission.objects.select_for_update().get(pk=submission.pk)


def attempts_left(submission: Submission, task: dict) -> int:
    return max(0, 1 + task["resubmissions"] - submission.attempt)


def _write_text(submission: Submission, text: str, base_version: int | None) -> bool:
    """Save the text (last write wins); True when the draft had changed since `base_version`
    (another tab saved in between)."""
    _require(
        submission.status in EDITABLE,
        _("This submission is with the reviewers; you can change it once it is returned."),
    )
    conflict = base_version is not None and base_version != submission.draft_version
    submission.text = text
    submission.draft_version += 1
    submission.save(update_fields=["text", "draft_version", "updated_at"])
    return conflict


def submission_save_draft(
    *, enrollment, task_key: str, text: str, base_version: int | None
) -> tuple[Submission, bool]:
    """Save the learner's draft text; (submission, whether it replaced text saved elsewhere
    since the page was loaded). Refused once submitted (until returned)."""
    with transaction.atomic():
        submission = _locked(enrollment, task_key)
        conflict = _write_text(submission, text, base_version)
    return submission, conflict


def submission_submit(
    *, enrollment, task_key: str, text: str, base_version: int | None
) -> tuple[Submission, bool]:
    """Save the text and hand the work in for review; (submission, conflict). When the draft had
    changed in another tab since the page was loaded, the text is saved but not submitted (the
    learner checks it and submits again). Refuses work that misses what the task asks for, and
    a submission past the resubmissions allowed."""
    with transaction.atomic():
        task = _task(enrollment, task_key)
        submission = _locked(enrollment, task_key)
        conflict = _write_text(submission, text, base_version)
        if conflict:
            return submission, True
        _require(
            attempts_left(submission, task) > 0,
            _("You have used every submission this task allows. Ask a trainer for help."),
        )
        if task["hand_in"] == "text":
            _require(text.strip(), _("Write your answer before submitting."))
        elif task["hand_in"] == "files":
            _require(submission.files.exists(), _("Add at least one file before submitting."))
        else:  # both: text, files, or the two together
            _require(
                text.strip() or submission.files.exists(),
                _("Write your answer or add a file before submitting."),
            )
        submission.status = SubmissionStatus.SUBMITTED
        submission.attempt += 1
        submission.submitted_at = timezone.now()
        submission.task, submission.task_title = task, task["title"]
        submission.claimed_by, submission.claimed_until = None, None
        submission.save(
            update_fields=[
                "status",
                "attempt",
                "submitted_at",
                "task",
                "task_title",
                "claimed_by",
                "claimed_until",
                "updated_at",
            ]
        )
        learning_services.practice_event_record(
            enrollment=enrollment,
            verb=Verb.PRACTICE_SUBMITTED,
            task_key=task_key,
            result={"attempt": submission.attempt},
        )
    return submission, False


def submission_file_add(*, enrollment, task_key: str, upload) -> SubmissionFile:
    """Add an uploaded file to the learner's draft: a type the task allows, within its size,
    that looks like what its extension says; at most MAX_FILES, names unique."""
    name = os.path.basename(upload.name or "")
    with transaction.atomic():
        task = _task(enrollment, task_key)
        submission = _locked(enrollment, task_key)
        _require(submission.status in EDITABLE, _("This submission is with the reviewers."))
        _require(task["hand_in"] in ("files", "both"), _("This task does not take files."))
        extension = os.path.splitext(name)[1].lower()
        _require(
            extension in task["file_types"],
            _("Files of type “%(ext)s” are not accepted here. Allowed: %(ok)s")
            % {"ext": extension or name, "ok": ", ".join(task["file_types"])},
        )
        _require(
            upload.size <= task["max_file_mb"] * 1024 * 1024,
            _("The file is too large: the limit is %(mb)d MB.") % {"mb": task["max_file_mb"]},
        )
        _require(
            submission.files.count() < MAX_FILES, _("You can add at most %d files.") % MAX_FILES
        )
        _require(
            not submission.files.filter(name=name).exists(),
            _("You already added a file with that name."),
        )
        content_type = limit("ACADEMY_ATTACHMENT_TYPES")[extension]
        head = upload.read(8)
        upload.seek(0)
        magic = IMAGE_MAGIC.get(content_type)
        _require(
            magic is None or head.startswith(magic),
            _("The file does not look like a %(ext)s file.") % {"ext": extension},
        )
        added = SubmissionFile(
            submission=submission, name=name, content_type=content_type, size=upload.size
        )
        added.file.save(name, upload, save=False)
        added.save()
    return added


def submission_file_delete(*, enrollment, task_key: str, file_id: int) -> None:
    """Remove a file from the learner's draft (the stored file goes once the change commits)."""
    with transaction.atomic():
        submission = _locked(enrollment, task_key)
        _require(submission.status in EDITABLE, _("This submission is with the reviewers."))
        found = submission.files.filter(pk=file_id).first()
        _require(found is not None, _("This file is not part of your submission."))
        stored = found.file.name
        found.delete()
        storage = found.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
