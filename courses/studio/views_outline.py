"""Studio: the course outline (modules, lessons, quizzes) and its edits."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..models import Lesson, LiveStep, PracticeTask, Quiz, Status
from .access import access_lesson, access_module, course_view
from .common import apply_service
from .forms import LessonForm, TitleForm


def outline_context(course, **extra):
    """The outline in a fixed number of queries: modules, their lessons and live-session
    steps, the quizzes."""
    modules = list(
        course.modules.prefetch_related(
            Prefetch(
                "lessons",
                Lesson.objects.only(
                    "id", "module_id", "title", "estimated_minutes", "position", "video_url"
                ),
            ),
            Prefetch("live_steps", LiveStep.objects.only("id", "module_id", "key", "title")),
        )
    )
    quizzes = list(Quiz.objects.filter(course=course).annotate(question_count=Count("questions")))
    by_module = {q.module_id: q for q in quizzes}
    tasks: dict = {}
    for task in PracticeTask.objects.filter(course=course).only("id", "module_id", "title"):
        tasks.setdefault(task.module_id, []).append(task)
    for module in modules:
        module.studio_quiz = by_module.get(module.pk)
        module.studio_practice = tasks.get(module.pk, [])
    changed = course.current_version is None or (
        course.draft_updated_at > course.current_version.published_at
    )
    return {
        "course": course,
        "modules": modules,
        "final_quiz": by_module.get(None),
        "unpublished_changes": changed,
        "archived": course.status == Status.ARCHIVED,
        # Archiving hides a published course from the catalog; a draft has nothing to hide.
        "published": course.status == Status.PUBLISHED,
        "module_form": extra.pop("module_form", None) or TitleForm(prefix="module"),
        **extra,
    }


@course_view
def outline(request, course):
    return render(request, "courses/studio/outline.html", outline_context(course))


@require_POST
@course_view
def module_add(request, course):
    form = TitleForm(request.POST, prefix="module")
    if form.is_valid() and apply_service(
        form,
        lambda: services.module_create(
            actor=request.user, course=course, title=form.cleaned_data["title"]
        ),
        "title",
    ):
        messages.success(request, _("Module added."))
        return redirect("studio:outline", course.pk)
    return render(request, "courses/studio/outline.html", outline_context(course, module_form=form))


@course_view
def module_rename(request, course, module_id):
    module = access_module(course, module_id)
    form = TitleForm(request.POST or None, initial={"title": module.title})
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            form,
            lambda: services.module_rename(
                actor=request.user, module=module, title=form.cleaned_data["title"]
            ),
            "title",
        )
    ):
        messages.success(request, _("Module renamed."))
        return redirect("studio:outline", course.pk)
    return render(
        request,
        "courses/studio/module_rename.html",
        {"course": course, "module": module, "form": form},
    )


def moved(request, call):
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


@require_POST
@course_view
def module_move(request, course, module_id):
    module = access_module(course, module_id)
    moved(
        request,
        lambda: services.module_move(
            actor=request.user, module=module, direction=request.POST.get("direction", "")
        ),
    )
    return redirect(f"{_outline_url(course)}#module-{module.pk}")


@course_view
def module_delete(request, course, module_id):
    module = access_module(course, module_id)
    if request.method == "POST":
        services.module_delete(actor=request.user, module=module)
        messages.success(request, _("Module “%(title)s” deleted.") % {"title": module.title})
        return redirect("studio:outline", course.pk)
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {
            "course": course,
            "thing": module.title,
            "heading": _("Delete the module “%(title)s”?") % {"title": module.title},
            "warning": _(
                "Its lessons and quiz are deleted from the draft too. Published versions "
                "keep them until you publish again."
            ),
        },
    )


@course_view
def lesson_add(request, course, module_id):
    module = access_module(course, module_id)
    form = LessonForm(request.POST or None)
    del form.fields["revision"]
    if request.method == "POST" and form.is_valid():
        lesson = apply_service(
            form,
            lambda: services.lesson_create(
                actor=request.user, module=module, **form.service_fields()
            ),
        )
        if lesson:
            messages.success(request, _("Lesson added."))
            return redirect("studio:lesson_edit", course.pk, lesson.pk)
    return render(
        request,
        "courses/studio/lesson_add.html",
        {"course": course, "module": module, "form": form},
    )


@require_POST
@course_view
def lesson_move(request, course, lesson_id):
    lesson = access_lesson(course, lesson_id)
    moved(
        request,
        lambda: services.lesson_move(
            actor=request.user, lesson=lesson, direction=request.POST.get("direction", "")
        ),
    )
    return redirect(f"{_outline_url(course)}#lesson-{lesson.pk}")


@course_view
def lesson_delete(request, course, lesson_id):
    lesson = access_lesson(course, lesson_id)
    if request.method == "POST":
        services.lesson_delete(actor=request.user, lesson=lesson)
        messages.success(request, _("Lesson “%(title)s” deleted.") % {"title": lesson.title})
        return redirect("studio:outline", course.pk)
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {
            "course": course,
            "thing": lesson.title,
            "heading": _("Delete the lesson “%(title)s”?") % {"title": lesson.title},
            "warning": _(
                "Its text and attached files leave the draft. Published versions keep "
                "them until you publish again."
            ),
        },
    )


def confirm_delete(request, course, *, thing, heading, warning):
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {"course": course, "thing": thing, "heading": heading, "warning": warning},
    )


def _outline_url(course):
    return reverse("studio:outline", args=[course.pk])
