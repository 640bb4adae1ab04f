"""Studio lookups: every object is found inside a course the user may edit, else 404.

The course itself comes from `courses.access.access_course_for_edit`; the parts below it are
looked up with the course in the filter, so an id from another course (or agency) answers 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agencies.access import actor_for

from ..access import access_course_for_edit
from ..models import Attachment, CourseVersion, Lesson, LiveStep, Module, Question, Quiz


def signed_out_response() -> JsonResponse:
    """What a script's request (live preview, autosave) gets once the session has ended: a 401
    it can show in words, never the sign-in page to render in place of a preview."""
    return JsonResponse(
        {
            "signed_out": True,
            "message": _(
                "You are signed out. Sign in again in another tab; your text is kept on this "
                "page and in this browser."
            ),
        },
        status=401,
    )


def studio_required(view):
    """Signed-in trainers, agency admins and platform admins; everyone else gets 404.

    Signed out, a page request goes to the sign-in page and a script's request (it sends
    X-Requested-With) gets `signed_out_response`.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.headers.get("X-Requested-With"):
                return signed_out_response()
            return redirect_to_login(request.get_full_path())
        actor = actor_for(request.user)
        if not (actor.is_trainer or actor.is_platform_admin):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def course_view(view):
    """`studio_required`, then swap the `course_id` URL argument for the editable course."""

    @studio_required
    @wraps(view)
    def wrapped(request, course_id, *args, **kwargs):
        course = access_course_for_edit(request.user, course_id)
        return view(request, course, *args, **kwargs)

    return wrapped


def access_module(course, module_id) -> Module:
    return get_object_or_404(Module.objects.select_related("course"), pk=module_id, course=course)


def access_lesson(course, lesson_id) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("course", "module"), pk=lesson_id, course=course
    )


def access_live_step(course, step_id) -> LiveStep:
    return get_object_or_404(
        LiveStep.objects.select_related("course", "module"), pk=step_id, course=course
    )


def access_attachment(course, attachment_id) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("lesson__course"), pk=attachment_id, lesson__course=course
    )


def access_quiz(course, quiz_id) -> Quiz:
    return get_object_or_404(
        Quiz.objects.select_related("course", "module"), pk=quiz_id, course=course
    )


def access_question(course, question_id) -> Question:
    return get_object_or_404(
        Question.objects.select_related("course", "quiz"), pk=question_id, course=course
    )


def access_version(course, number) -> CourseVersion:
    return get_object_or_404(
        CourseVersion.objects.select_related("published_by"), course=course, number=number
    )
