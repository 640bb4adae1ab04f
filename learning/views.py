"""Learner pages: parse, check access, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.permissions import client_ip
from courses.access import access_course_for_learner
from courses.selectors import course_detail

from . import selectors, services
from .access import (
    access_attempt,
    access_certificate,
    access_certificate_for_revoke,
    access_enrollment,
    can_revoke,
)
from .forms import RevokeForm, answers_from_post
from .models import Enrollment
from .pdf import certificate_pdf
from .registries import step_url


def _player_enrollment(request, slug) -> Enrollment:
    """The user's enrollment, moved onto the course's current version if one was published."""
    return services.enrollment_sync_version(enrollment=access_enrollment(request.user, slug))


@login_required
@require_GET
def my_learning(request):
    return render(request, "learning/my_learning.html", my_learning_context(request))


def my_learning_context(request, *, with_paths: bool = True) -> dict:
    return {
        "actor": actor_for(request.user),
        **selectors.my_learning(request.user, with_paths=with_paths),
    }


@login_required
@require_GET
def course_home(request, slug):
    if selectors.is_enrolled(request.user, slug):
        return redirect("learning:resume", slug)
    return render(request, "learning/course_home.html", course_detail(request.user, slug))


@login_required
@require_POST
def enroll(request, slug):
    course = access_course_for_learner(request.user, slug)
    try:
        services.enrollment_create(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning:course", slug)
    return redirect("learning:resume", slug)


@login_required
@require_GET
def resume(request, slug):
    enrollment = _player_enrollment(request, slug)
    target = selectors.resume_target(enrollment)
    if target is None:
        raise Http404
    return redirect(step_url(slug, target))


@login_required
@require_GET
def lesson(request, slug, key):
    enrollment = _player_enrollment(request, slug)
    context = selectors.course_player(enrollment, kind="lesson", key=key)
    if context is None:
        raise Http404
    services.enrollment_visit(enrollment=enrollment, lesson_key=key)
    return render(request, "learning/lesson.html", context)


@login_required
@require_POST
def lesson_done(request, slug, key):
    enrollment = _player_enrollment(request, slug)
    following = selectors.step_after(enrollment, kind="lesson", key=key)
    try:
        services.lesson_complete(enrollment=enrollment, lesson_key=key)
    except ValidationError:
        raise Http404 from None
    enrollment.refresh_from_db(fields=["status"])
    if request.headers.get("Accept") == "application/json":
        # Sent by the player when the learner reaches the end of the lesson: no redirect, so
        # the next lesson is not "visited" behind their back.
        return JsonResponse({"done": True, "course_completed": enrollment.is_completed})
    if enrollment.is_completed:
        messages.success(request, _("Course complete. Your certificate is ready."))
        return redirect("learning:my_learning")
    if following:
        return redirect(step_url(slug, following))
    return redirect("learning:lesson", slug, key)


@login_required
@require_GET
def quiz(request, slug, key):
    enrollment = _player_enrollment(request, slug)
    context = selectors.course_player(enrollment, kind="quiz", key=key)
    overview = selectors.quiz_overview(enrollment, key)
    if context is None or overview is None:
        raise Http404
    return render(request, "learning/quiz.html", {**context, **overview})


@login_required
@require_POST
def quiz_start(request, slug, key):
    enrollment = _player_enrollment(request, slug)
    try:
        attempt = services.attempt_start(enrollment=enrollment, quiz_key=key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning:quiz", slug, key)
    return redirect("learning:attempt", attempt.pk)


@login_required
@require_GET
def attempt_take(request, attempt_id):
    attempt = access_attempt(request.user, attempt_id)
    slug = attempt.enrollment.course.slug
    if not attempt.is_open:
        return redirect("learning:attempt_result", attempt.pk)
    if services.attempt_is_expired(attempt):
        messages.error(request, _("The time limit for this attempt has passed."))
        return redirect("learning:quiz", slug, attempt.quiz_key)
    return render(
        request,
        "learning/attempt.html",
        {
            "attempt": attempt,
            "course": attempt.enrollment.course,
            "slug": slug,
            "title": selectors.outline_quiz_title(attempt),
            "questions": selectors.attempt_questions(attempt),
        },
    )


@login_required
@require_POST
def attempt_submit(request, attempt_id):
    attempt = access_attempt(request.user, attempt_id)
    try:
        attempt = services.attempt_submit(attempt=attempt, answers=answers_from_post(request.POST))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if services.attempt_is_expired(attempt):
            return redirect("learning:quiz", attempt.enrollment.course.slug, attempt.quiz_key)
        return redirect("learning:attempt", attempt.pk)
    return redirect("learning:attempt_result", attempt.pk)


@login_required
@require_GET
def attempt_result(request, attempt_id):
    attempt = access_attempt(request.user, attempt_id)
    if attempt.is_open:
        return redirect("learning:attempt", attempt.pk)
    enrollment = attempt.enrollment
    return render(
        request,
        "learning/attempt_result.html",
        {
            **selectors.attempt_result(attempt),
            "course": enrollment.course,
            "enrollment": enrollment,
            "slug": enrollment.course.slug,
        },
    )


@login_required
@require_GET
def certificate_list(request):
    if not actor_for(request.user).manages_people:
        raise Http404
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.agency_certificates(request.user, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "learning/certificate_list.html", {"page": page, "search": search})


@login_required
@require_GET
def certificate_detail(request, code):
    certificate = access_certificate(request.user, code)
    return render(
        request,
        "learning/certificate.html",
        {
            "certificate": certificate,
            "can_revoke": can_revoke(request.user, certificate),
            "verify_url": request.build_absolute_uri(reverse("learning:verify", args=[code])),
        },
    )


@login_required
@require_GET
def certificate_download(request, code):
    certificate = access_certificate(request.user, code)
    verify_url = request.build_absolute_uri(reverse("learning:verify", args=[code]))
    response = HttpResponse(
        certificate_pdf(certificate, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{code}.pdf"'
    return response


@login_required
def certificate_revoke(request, code):
    certificate = access_certificate_for_revoke(request.user, code)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except PermissionDenied:
            raise Http404 from None  # the same answer as a missing certificate
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect("learning:certificate", code)
    return render(
        request, "learning/certificate_revoke.html", {"certificate": certificate, "form": form}
    )


@require_GET
def verify(request, code):
    certificate = selectors.certificate_verification(code)
    if certificate is None:
        raise Http404
    return render(request, "learning/verify.html", {"certificate": certificate})
