"""The learner's own record ("My record"): the page, and its CSV and PDF downloads.

No id in the URLs: each view reads the signed-in user's record only.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from agencies.access import actor_for, agency_today

from .transcript import learner_record, record_csv, record_pdf


@login_required
@require_GET
def record(request):
    return render(request, "learning/record.html", learner_record(request.user))


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def record_download_csv(request):
    content = record_csv(learner_record(request.user))
    return _attachment(content, "text/csv; charset=utf-8", "training-record.csv")


@login_required
@require_GET
def record_download_pdf(request):
    user = request.user
    content = record_pdf(
        learner_record(user),
        learner=user.full_name or user.email,
        agency=actor_for(user).agency_name,
        today=agency_today(user),
        page_url=request.build_absolute_uri(reverse("learning:record")),
    )
    return _attachment(content, "application/pdf", "training-transcript.pdf")
