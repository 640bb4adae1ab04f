"""Studio: the draft as a learner would see it, and the trainer's answer key.

Both render the draft through the same path as publishing (draft_content, then
render_snapshot, which runs render_markdown on every Markdown field). The learner preview
drops every correct-answer flag and choice feedback before the template sees the content;
only the answer key shows them.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from academy.files import private_file_response

from ..models import Attachment
from ..services import draft_content
from ..services.content import lesson_with_file_urls, render_snapshot
from .access import course_view
from .common import demote_headings


def _file_url(course, attachment: dict) -> str:
    return reverse(
        "studio:attachment_file", args=[course.pk, attachment["sha256"], attachment["name"]]
    )


def _rendered_draft(course) -> dict:
    snapshot = render_snapshot(draft_content(course))
    for module in snapshot["modules"]:
        module["lessons"] = [
            lesson_with_file_urls(lesson, lambda a: _file_url(course, a))
            for lesson in module["lessons"]
        ]
    quizzes = [m["quiz"] for m in snapshot["modules"] if m.get("quiz")]
    if snapshot.get("quiz"):
        quizzes.append(snapshot["quiz"])
    for module in snapshot["modules"]:
        for lesson in module["lessons"]:
            lesson["html"] = demote_headings(lesson["html"], by=2)
    for quiz in quizzes:
        for question in quiz["questions"]:
            question["prompt_html"] = demote_headings(question["prompt_html"], by=3)
            question["explanation_html"] = demote_headings(question["explanation_html"], by=3)
    return snapshot


def _without_answers(snapshot: dict) -> dict:
    quizzes = [m.get("quiz") for m in snapshot["modules"]] + [snapshot.get("quiz")]
    for quiz in filter(None, quizzes):
        for question in quiz["questions"]:
            question.pop("explanation", None)
            question.pop("explanation_html", None)
            question["choices"] = [
                {"key": c["key"], "text": c["text"]} for c in question["choices"]
            ]
    return snapshot


@course_view
def course_preview(request, course):
    content = _without_answers(_rendered_draft(course))
    return render(request, "courses/studio/preview.html", {"course": course, "content": content})


@course_view
def answer_key(request, course):
    return render(
        request,
        "courses/studio/answer_key.html",
        {"course": course, "content": _rendered_draft(course)},
    )


@require_GET
@course_view
def attachment_file(request, course, sha256, name):
    """A file attached to the draft, for those who may edit the course (the preview links
    here); 404 otherwise."""
    attachment = (
        Attachment.objects.filter(lesson__course=course, sha256=sha256, name=name)
        .only("file", "name", "content_type")
        .first()
    )
    if attachment is None:
        raise Http404
    return private_file_response(
        attachment.file.name, attachment.name, attachment.content_type or "application/octet-stream"
    )
