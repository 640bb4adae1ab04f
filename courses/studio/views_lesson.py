"""Studio: writing a lesson, its live preview, and its attachments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.forms import apply_validation_error

from .. import services
from ..markdown import render_markdown
from ..models import Lesson
from .access import access_attachment, access_lesson, course_view
from .common import apply_service, demote_headings
from .forms import AttachmentForm, LessonForm, PreviewForm


def preview_html(body: str) -> str:
    """What learners will see: render_markdown's sanitised HTML, headings one level down."""
    return demote_headings(render_markdown(body or ""))


def _initial(lesson) -> dict:
    return {
        "title": lesson.title,
        "estimated_minutes": lesson.estimated_minutes,
        "objectives": "\n".join(lesson.objectives or []),
        "body": lesson.body,
        "video_url": lesson.video_url,
        "transcript": lesson.transcript,
        "revision": lesson.revision,
    }


def _lesson_page(request, course, lesson, form, *, attachment_form=None, preview=None, theirs=None):
    return render(
        request,
        "courses/studio/lesson_edit.html",
        {
            "course": course,
            "lesson": lesson,
            "form": form,
            "attachment_form": attachment_form or AttachmentForm(),
            "attachments": list(lesson.attachments.all()),
            "preview": preview_html(form["body"].value() or "") if preview is None else preview,
            "theirs": theirs,
        },
    )


@course_view
def lesson_edit(request, course, lesson_id):
    lesson = access_lesson(course, lesson_id)
    if request.method != "POST":
        form = LessonForm(initial=_initial(lesson))
        return _lesson_page(request, course, lesson, form)
    form = LessonForm(request.POST)
    if request.POST.get("action") == "preview" or not form.is_valid():
        return _lesson_page(request, course, lesson, form)
    expected = form.cleaned_data["revision"] or lesson.revision
    try:
        services.lesson_update(
            actor=request.user, lesson=lesson, expected_revision=expected, **form.service_fields()
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "stale":
            apply_validation_error(form, error)
            return _lesson_page(request, course, lesson, form)
        return _conflict(request, course, lesson)
    messages.success(request, _("Lesson saved."))
    if request.POST.get("action") == "save_close":
        return redirect("studio:outline", course.pk)
    return redirect("studio:lesson_edit", course.pk, lesson.pk)


def _conflict(request, course, lesson):
    """Someone saved first: keep every word the trainer typed, show theirs beside it.

    The form now carries the latest revision, so saving again deliberately replaces theirs.
    """
    current = Lesson.objects.get(pk=lesson.pk)
    data = request.POST.copy()
    data["revision"] = str(current.revision)
    form = LessonForm(data)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else saved this lesson while you were editing it. Nothing is lost: your text "
            "is still in the form below, and their version is shown under it. Compare the two, "
            "then save again to replace their version with yours."
        ),
    )
    return _lesson_page(request, course, current, form, theirs=current)


@require_POST
@course_view
def markdown_preview(request, course):
    """The sanitised HTML for some Markdown, for the live preview (POST, CSRF-protected)."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    response = HttpResponse(
        preview_html(form.cleaned_data["body"]), content_type="text/html; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@course_view
def lesson_autosave(request, course, lesson_id):
    """The editor's autosave while signed in (static/js/lesson-draft.js): the same save as the
    form's, answered in JSON. 409 when someone else saved first (the script then stops and the
    trainer's Save shows both versions), 400 when the form or the service refuses."""
    lesson = access_lesson(course, lesson_id)
    form = LessonForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    expected = form.cleaned_data["revision"] or lesson.revision
    try:
        lesson = services.lesson_update(
            actor=request.user, lesson=lesson, expected_revision=expected, **form.service_fields()
        )
    except ValidationError as error:
        status = 409 if getattr(error, "code", None) == "stale" else 400
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=status)
    return JsonResponse({"saved": True, "revision": lesson.revision})


@require_POST
@course_view
def attachment_add(request, course, lesson_id):
    lesson = access_lesson(course, lesson_id)
    attachment_form = AttachmentForm(request.POST, request.FILES)
    if attachment_form.is_valid():
        attachment = apply_service(
            attachment_form,
            lambda: services.attachment_add(
                actor=request.user, lesson=lesson, upload=attachment_form.cleaned_data["file"]
            ),
            "file",
        )
        if attachment:
            messages.success(request, _("Attached “%(name)s”.") % {"name": attachment.name})
            return redirect(f"{_edit_url(course, lesson)}#attachments")
    form = LessonForm(initial=_initial(lesson))
    return _lesson_page(request, course, lesson, form, attachment_form=attachment_form)


@require_POST
@course_view
def attachment_delete(request, course, attachment_id):
    attachment = access_attachment(course, attachment_id)
    services.attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("Removed “%(name)s”.") % {"name": attachment.name})
    return redirect(f"{_edit_url(course, attachment.lesson)}#attachments")


def _edit_url(course, lesson):
    return reverse("studio:lesson_edit", args=[course.pk, lesson.pk])
