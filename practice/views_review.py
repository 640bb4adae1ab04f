"""The review queue of an agency's trainers and admins, and grading one submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.models import Agency
from agencies.permissions import client_ip

from . import selectors, services
from .access import access_course_reviewers, access_review, can_review
from .forms import CourseReviewersForm, QueueFilterForm, review_fields
from .models import SubmissionStatus


def _reviewer(request):
    if not can_review(actor_for(request.user)):
        raise Http404
    return request.user


@login_required
@require_GET
def queue(request):
    """Submissions waiting for review in the reviewer's agency, oldest first."""
    user = _reviewer(request)
    form = QueueFilterForm(request.GET or None, courses=selectors.queue_courses(user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.review_queue(
        user, course_id=filters.get("course"), status=filters.get("status") or None
    )
    return render(request, "practice/queue.html", {"form": form, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, submission_id):
    """GET: the submission (anonymous when the task says so), its files and earlier reviews,
    and the rubric to grade. POST: grade it (the reviewer must hold the claim)."""
    user = _reviewer(request)
    submission = access_review(user, submission_id)
    form = review_fields(submission.task, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rubric = submission.task["rubric"]
        try:
            services.submission_review(
                reviewer=user,
                submission_id=submission.pk,
                levels={c["key"]: form.cleaned_data[f"level_{c['key']}"] for c in rubric},
                comments={c["key"]: form.cleaned_data[f"comment_{c['key']}"] for c in rubric},
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Review saved: the learner has been told."))
            return redirect("practice:queue")
    holds = submission.status == SubmissionStatus.CLAIMED and submission.claimed_by_id == user.pk
    criteria = [
        {
            "criterion": c,
            "level": form[f"level_{c['key']}"],
            "comment": form[f"comment_{c['key']}"],
        }
        for c in submission.task["rubric"]
    ]
    context = {
        "submission": submission,
        "learner": selectors.learner_name(submission),
        "files": list(submission.files.all()),
        "reviews": selectors.reviews_with_rows(
            submission.reviews.order_by("-attempt"), submission.task
        ),
        "form": form,
        "criteria": criteria,
        "holds": holds,
        "gradable": holds,
    }
    return render(
        request,
        "practice/review.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def claim(request, submission_id):
    user = _reviewer(request)
    submission = access_review(user, submission_id)
    if services.submission_claim(reviewer=user, submission_id=submission.pk):
        messages.success(
            request,
            _("You hold this submission for %(minutes)d minutes: grade it now.")
            % {"minutes": services.CLAIM_MINUTES},
        )
    else:
        messages.error(request, _("Another reviewer holds this submission, or it is graded."))
    return redirect("practice:review", submission.pk)


@login_required
@require_GET
def reviewers(request):
    """The courses whose reviewers the user may name for their agency, with those named."""
    user = _reviewer(request)
    return render(request, "practice/reviewers.html", {"courses": selectors.reviewer_courses(user)})


@login_required
@require_http_methods(["GET", "POST"])
def course_reviewers(request, course_id):
    """Name the reviewers of one course for the user's agency (its admins, or a trainer of the
    agency that owns the course); 404 for anyone else and for another agency's course."""
    user = _reviewer(request)
    course = access_course_reviewers(user, course_id)
    agency = Agency.objects.get(pk=actor_for(user).agency_id)
    candidates = list(services.reviewer_candidates(agency.pk))
    current = selectors.course_reviewer_ids(agency.pk, course.pk)
    form = CourseReviewersForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        initial={"reviewers": [str(pk) for pk in current]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.course_reviewers_set(
                actor=user,
                agency=agency,
                course=course,
                user_ids=form.cleaned_data["reviewers"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reviewers saved."))
            return redirect("practice:reviewers")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "practice/course_reviewers.html", {"course": course, "form": form}, status=status
    )
