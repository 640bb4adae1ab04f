"""The learner's practice task page in the course player, and the access-checked files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.files import private_file_response
from academy.forms import apply_validation_error
from learning import selectors as learning_selectors
from learning import services as learning_services
from learning.access import access_enrollment

from . import selectors, services
from .access import access_file
from .forms import AnswerForm, FileForm
from .services.submissions import EDITABLE, attempts_left

CONFLICT = _(
    "This draft had been changed in another tab or window. The text on this page replaced it: "
    "check it before you submit."
)


def _enrollment(request, slug):
    return learning_services.enrollment_sync_version(
        enrollment=access_enrollment(request.user, slug), course_fresh=True
    )


def _page(request, enrollment, key, *, form=None, file_form=None, status=200):
    context = learning_selectors.course_player(enrollment, kind="practice", key=key)
    if context is None:
        raise Http404
    task = services.task_for(enrollment, key)
    submission = selectors.learner_submission(enrollment, key)
    editable = submission is None or submission.status in EDITABLE
    form = form or AnswerForm(
        initial={
            "text": submission.text if submission else "",
            "draft_version": submission.draft_version if submission else 0,
        }
    )
    context.update(
        task=task,
        submission=submission,
        reviews=selectors.reviews_with_rows(submission.reviews.all(), submission.task or task)
        if submission
        else [],
        editable=editable,
        left=attempts_left(submission, task) if submission else 1 + task["resubmissions"],
        form=form,
        file_form=file_form or FileForm(),
        takes_text=task["hand_in"] in ("text", "both"),
        takes_files=task["hand_in"] in ("files", "both"),
    )
    return render(request, "practice/step.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def step(request, slug, key):
    """GET: the task, the learner's draft or submission and its feedback. POST: save the draft
    (`action=save`, also the autosave's JSON call) or submit it (`action=submit`)."""
    enrollment = _enrollment(request, slug)
    if services.task_for(enrollment, key) is None:
        raise Http404
    if request.method == "GET":
        return _page(request, enrollment, key)
    form = AnswerForm(request.POST)
    autosave = request.headers.get("X-Requested-With") == "fetch"
    if not form.is_valid():
        return _page(request, enrollment, key, form=form, status=400)
    fields = {
        "enrollment": enrollment,
        "task_key": key,
        "text": form.cleaned_data["text"],
        "base_version": form.cleaned_data["draft_version"],
    }
    try:
        if request.POST.get("action") == "submit":
            submission, conflict = services.submission_submit(**fields)
            if not conflict:
                messages.success(request, _("Submitted: a reviewer of your agency will grade it."))
        else:
            submission, conflict = services.submission_save_draft(**fields)
    except ValidationError as error:
        if autosave:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        apply_validation_error(form, error)
        return _page(request, enrollment, key, form=form, status=400)
    if autosave:
        return JsonResponse(
            {"version": submission.draft_version, "conflict": CONFLICT if conflict else ""}
        )
    if conflict:
        messages.warning(request, CONFLICT)
    elif request.POST.get("action") != "submit":
        messages.success(request, _("Draft saved."))
    return redirect("practice:step", slug, key)


@login_required
@require_POST
def file_add(request, slug, key):
    enrollment = _enrollment(request, slug)
    if services.task_for(enrollment, key) is None:
        raise Http404
    file_form = FileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            services.submission_file_add(
                enrollment=enrollment, task_key=key, upload=file_form.cleaned_data["file"]
            )
        except ValidationError as error:
            apply_validation_error(file_form, error, "file")
    if file_form.errors:
        return _page(request, enrollment, key, file_form=file_form, status=400)
    messages.success(request, _("File added."))
    return redirect("practice:step", slug, key)


@login_required
@require_POST
def file_delete(request, slug, key, file_id):
    enrollment = _enrollment(request, slug)
    try:
        services.submission_file_delete(enrollment=enrollment, task_key=key, file_id=file_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("File removed."))
    return redirect("practice:step", slug, key)


@login_required
@require_GET
def file_download(request, submission_id, file_id):
    """A handed-in file, for its learner and the reviewers of the learner's agency only."""
    found = access_file(request.user, submission_id, file_id)
    return private_file_response(found.file.name, found.name, found.content_type)
