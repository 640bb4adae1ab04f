"""Learner pages: parse, check access, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.files import private_file_response
from academy.forms import apply_validation_error
from academy.fragments import CSRF_SLOT, fragment, page_with_content, with_csrf_token
from academy.templatetags.page_shell import SKELETON, fill_skeleton
from agencies.access import actor_for
from agencies.permissions import client_ip
from courses import fragments as card_fragments
from courses.access import access_course_for_learner
from courses.selectors import course_detail

from . import registries, selectors, services
from .access import (
    access_attempt,
    access_certificate,
    access_certificate_for_revoke,
    access_enrollment,
    can_revoke,
)
from .choices import choice_keys_from_tokens
from .forms import RevokeForm, answers_for_safekeeping, answers_from_post
from .models import Enrollment
from .pdf import certificate_pdf
from .registries import step_url

# Where the player goes in the lesson page's skeleton ("<": never in autoescaped text).
PLAYER_SLOT = mark_safe("<AcademyLessonPlayerSlot7f3a>")

# Answers posted by someone whose session had ended, kept in the new session (which signing in
# keeps) until the attempt page has offered them back and they are saved or submitted.
PENDING_ANSWERS = "learning_pending_answers"


def _keep_answers_and_sign_in(request, attempt_id):
    """The answer to a quiz form posted after the session ended: keep the answers, ask the
    person to sign in again, then bring them back to the attempt with their answers."""
    answers = answers_for_safekeeping(request.POST)
    if answers:
        request.session[PENDING_ANSWERS] = {"attempt": int(attempt_id), "answers": answers}
        messages.info(
            request,
            _(
                "Your session had ended, so your answers were not submitted yet. They are kept: "
                "sign in again to review and submit them."
            ),
        )
    return redirect_to_login(reverse("learning:attempt", args=[attempt_id]))


def _pending_answers(request, attempt_id) -> dict | None:
    pending = request.session.get(PENDING_ANSWERS)
    if isinstance(pending, dict) and pending.get("attempt") == attempt_id:
        return pending.get("answers") or None
    return None


def _forget_pending_answers(request, attempt_id) -> None:
    if _pending_answers(request, attempt_id) is not None:
        del request.session[PENDING_ANSWERS]


def _player_enrollment(request, slug, *, shared_version: bool = False) -> Enrollment:
    """The user's enrollment, moved onto the course's current version if one was published
    (`shared_version`: see access_enrollment)."""
    return services.enrollment_sync_version(
        enrollment=access_enrollment(request.user, slug, shared_version=shared_version),
        course_fresh=True,
    )


@login_required
@require_GET
def my_learning(request):
    return my_learning_response(request)


def my_learning_context(request, *, with_paths: bool = True) -> dict:
    context = {
        "actor": actor_for(request.user),
        **selectors.my_learning(request.user, with_paths=with_paths),
        # the home page (without the paths) links to them
        "paths_link": not with_paths,
    }
    if with_paths:  # the full page (not the home page) shows the downstream apps' sections
        context["extra_sections"] = [
            (section.template, section.data(request.user))
            for section in registries.my_learning_sections.values()
        ]
    return context


# Where My learning's sections and the learner's name go in the page's skeleton ("<": never in
# autoescaped text).
MY_SECTIONS_SLOT = mark_safe("<AcademyMyLearningSectionsSlot7f3a>")
MY_NAME_SLOT = mark_safe("<AcademyMyLearningNameSlot7f3a>")


def my_learning_response(request, *, with_paths: bool = True) -> HttpResponse:
    """My learning (the home page of a member of an agency without `with_paths`), rendered
    from two per-process fragments (academy.fragments) and completed for the request:

    - the sections (learning/_my_learning_sections.html: the courses, paths, suggestions and
      the downstream apps' sections), keyed on every value they are rendered from: the rows as
      read with the agency's date (`key` of learning.selectors.my_learning), the sections'
      data, the language, the time zone and the URL prefix. Learners in the same state share
      it; any change to what it shows changes the key, so the page is right at once. On a miss
      it is rendered from the cards' own fragments (courses.fragments);
    - the page around them (learning/my_learning.html with `SKELETON`), keyed on what it shows
      of the acting user (agency name, platform admin, manages people) and the language; the
      learner's name, the header and the session warning are put in per request
      (academy.templatetags.page_shell.fill_skeleton).

    A request with messages to show, a section whose data is not plain values
    (learning.registries.LearnerSection.plain) or the fragment cache switched off
    (courses.fragments.enabled) renders the page whole, as before."""
    context = my_learning_context(request, with_paths=with_paths)
    sections = registries.my_learning_sections.values() if with_paths else ()
    if not card_fragments.enabled or get_messages(request) or not all(s.plain for s in sections):
        return render(request, "learning/my_learning.html", context)
    language, prefix = get_language(), get_script_prefix()
    actor = context["actor"]
    sections_html = fragment(
        (
            "my-learning-sections",
            language,
            prefix,
            timezone.get_current_timezone_name(),
            context["key"],
            context["paths_link"],
            tuple(context.get("extra_sections", ())),
        ),
        lambda: render_to_string("learning/_my_learning_sections.html", context),
    )
    skeleton = fragment(
        (
            "my-learning-page",
            language,
            prefix,
            actor.agency_name,
            bool(actor.is_platform_admin),
            bool(actor.manages_people),
        ),
        lambda: render_to_string(
            "learning/my_learning.html",
            {
                "actor": actor,
                "user": {"display_name": MY_NAME_SLOT},
                "sections_html": MY_SECTIONS_SLOT,
                SKELETON: True,
                "messages": (),
            },
        ),
    )
    page = skeleton.replace(MY_NAME_SLOT, escape(request.user.display_name))
    return HttpResponse(
        fill_skeleton(
            page,
            request,
            content=with_csrf_token(sections_html, request),
            content_slot=MY_SECTIONS_SLOT,
        )
    )


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
    """The lesson page. What is the same for every learner in the same state is rendered once
    per process (academy.fragments): the player (progress, lesson, pager, contents: keyed on
    `player_key` and the language) and the page around it (keyed on the version, the lesson,
    whether it is done and the language); this request's CSRF token, header and session
    warning are put in (academy.templatetags.page_shell.fill_skeleton). A request with messages
    to show renders the page around the player as before. The version is the process's own
    (learning.compiled.shared_version_instance): its snapshot is not decoded per request."""
    enrollment = _player_enrollment(request, slug, shared_version=True)
    page = selectors.lesson_page(enrollment, key=key)
    if page is None:
        raise Http404
    services.enrollment_visit(enrollment=enrollment, lesson_key=key)
    language, prefix = get_language(), get_script_prefix()
    player_html = fragment(
        ("lesson-player", language, prefix, *page["player_key"]),
        lambda: render_to_string(
            "learning/_lesson_player.html", {**page["player"](), "csrf_token": CSRF_SLOT}
        ),
    )
    context = {
        "enrollment": enrollment,
        "lesson": page["lesson"],
        "step": {"done": page["step_done"]},
        "complete_at_end": page["complete_at_end"],
    }
    if get_messages(request):
        player_html = with_csrf_token(player_html, request)
        context["player_html"] = mark_safe(player_html)  # noqa: S308 - rendered with autoescape
        return render(request, "learning/lesson.html", context)
    return HttpResponse(
        page_with_content(
            request,
            parts=("lesson-page", language, prefix, *page["page_key"]),
            render=lambda: render_to_string(
                "learning/lesson.html",
                {**context, "player_html": PLAYER_SLOT, SKELETON: True, "messages": ()},
            ),
            content=player_html,
            content_slot=PLAYER_SLOT,
        )
    )


@require_GET
def lesson_file(request, slug, sha256, name):
    """A file attached to a lesson of the learner's course version: 404 for anyone not enrolled
    (signed out included) and for files only in a draft."""
    enrollment = access_enrollment(request.user, slug)
    attachment = selectors.lesson_file(enrollment, sha256=sha256, name=name)
    if attachment is None:
        raise Http404
    return private_file_response(
        attachment["file"],
        attachment["name"],
        attachment.get("content_type") or "application/octet-stream",
    )


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
        certificate = selectors.completion_certificate(enrollment)
        if certificate is not None:
            return redirect("learning:certificate", certificate.code)
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


def _attempt_context(attempt) -> dict:
    enrollment = attempt.enrollment
    return {
        "attempt": attempt,
        "enrollment": enrollment,
        "course": enrollment.course,
        "course_title": enrollment.version.title,
        "slug": enrollment.course.slug,
        "title": selectors.outline_quiz_title(attempt),
    }


def _open_attempt_or_redirect(request, attempt):
    """None when the attempt can still be answered, else where to send the learner."""
    if not attempt.is_open:
        return redirect("learning:attempt_result", attempt.pk)
    if services.attempt_is_expired(attempt):
        messages.error(request, _("The time limit for this attempt has passed."))
        return redirect("learning:quiz", attempt.enrollment.course.slug, attempt.quiz_key)
    return None


@login_required
@require_GET
def attempt_take(request, attempt_id):
    attempt = access_attempt(request.user, attempt_id)
    if (elsewhere := _open_attempt_or_redirect(request, attempt)) is not None:
        return elsewhere
    pending = choice_keys_from_tokens(attempt, _pending_answers(request, attempt.pk))
    return render(
        request,
        "learning/attempt.html",
        {
            **_attempt_context(attempt),
            "questions": selectors.attempt_questions(attempt, answers=pending),
            "restored": pending is not None,
        },
    )


@require_POST
def attempt_draft(request, attempt_id):
    """Autosave from the attempt page (one POST per change); answers with JSON."""
    if not request.user.is_authenticated:
        return JsonResponse({"saved": False, "signed_out": True}, status=401)
    attempt = access_attempt(request.user, attempt_id)
    try:
        draft = services.attempt_save_draft(
            attempt=attempt,
            answers=choice_keys_from_tokens(attempt, answers_from_post(request.POST)),
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "error": " ".join(error.messages)}, status=409)
    _forget_pending_answers(request, attempt.pk)
    return JsonResponse({"saved": True, "answered": services.answered_count(draft)})


def attempt_review(request, attempt_id):
    """The step between answering and submitting. POST (the attempt page's only button, so
    Enter lands here too): keep the answers as the draft, then show them. GET: the answers,
    the questions left unanswered, and the button that submits."""
    if request.method == "POST" and not request.user.is_authenticated:
        return _keep_answers_and_sign_in(request, attempt_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    attempt = access_attempt(request.user, attempt_id)
    if (elsewhere := _open_attempt_or_redirect(request, attempt)) is not None:
        return elsewhere
    if request.method == "POST":
        try:
            services.attempt_save_draft(
                attempt=attempt,
                answers=choice_keys_from_tokens(attempt, answers_from_post(request.POST)),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("learning:attempt", attempt.pk)
        _forget_pending_answers(request, attempt.pk)
        return redirect("learning:attempt_review", attempt.pk)
    return render(
        request,
        "learning/attempt_review.html",
        {**_attempt_context(attempt), **selectors.attempt_review(attempt)},
    )


def attempt_submit(request, attempt_id):
    """Grade the attempt: the answers posted with it, else its saved draft. Reached by GET
    (after signing in again, say) it goes back to the attempt rather than answering 405."""
    if request.method == "POST" and not request.user.is_authenticated:
        return _keep_answers_and_sign_in(request, attempt_id)
    if request.method != "POST":
        return redirect("learning:attempt", attempt_id)
    attempt = access_attempt(request.user, attempt_id)
    posted = choice_keys_from_tokens(attempt, answers_from_post(request.POST))
    try:
        attempt = services.attempt_submit(attempt=attempt, answers=posted or attempt.answers)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if services.attempt_is_expired(attempt):
            return redirect("learning:quiz", attempt.enrollment.course.slug, attempt.quiz_key)
        return redirect("learning:attempt", attempt.pk)
    _forget_pending_answers(request, attempt.pk)
    return redirect("learning:attempt_result", attempt.pk)


@login_required
@require_GET
def attempt_result(request, attempt_id):
    attempt = access_attempt(request.user, attempt_id)
    if attempt.is_open:
        return redirect("learning:attempt", attempt.pk)
    return render(
        request,
        "learning/attempt_result.html",
        {
            **selectors.attempt_result(attempt),
            **_attempt_context(attempt),
            "certificate": selectors.completion_certificate(attempt.enrollment),
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
            "extra_sections": registries.sections_for(
                registries.certificate_sections, request, certificate
            ),
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
    sections = registries.sections_for(registries.verification_sections, request, certificate)
    return render(
        request, "learning/verify.html", {"certificate": certificate, "extra_sections": sections}
    )
