"""Studio: practice tasks at the end of a module (after its lessons, before its quiz)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..markdown import render_markdown
from ..models import PracticeTask
from .access import access_module, course_view
from .common import apply_service
from .forms_practice import PracticeTaskForm


def _taken(course) -> set[str]:
    return set(PracticeTask.objects.filter(course=course).values_list("key", flat=True))


@course_view
def practice_add(request, course, module_id):
    module = access_module(course, module_id)
    form = PracticeTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        task = apply_service(
            form,
            lambda: services.practice_task_save(
                actor=request.user, module=module, data=form.task_data(_taken(course))
            ),
        )
        if task:
            messages.success(request, _("Practice task added. Check the preview below."))
            return redirect("studio:practice_edit", course.pk, task.pk)
    return render(
        request,
        "courses/studio/practice_form.html",
        {"course": course, "module": module, "form": form, "task": None},
    )


@course_view
def practice_edit(request, course, task_id):
    task = get_object_or_404(
        PracticeTask.objects.select_related("module", "course"), pk=task_id, course=course
    )
    form = PracticeTaskForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        if apply_service(
            form,
            lambda: services.practice_task_save(
                actor=request.user, module=task.module, task=task, data=form.task_data(set())
            ),
        ):
            messages.success(request, _("Practice task saved."))
            return redirect("studio:practice_edit", course.pk, task.pk)
        task.refresh_from_db()
    preview = {
        "key": task.key,
        "rubric": task.rubric,
        "pass_mark": task.pass_mark,
        "brief_html": render_markdown(task.brief),
    }
    return render(
        request,
        "courses/studio/practice_form.html",
        {"course": course, "module": task.module, "form": form, "task": task, "preview": preview},
    )


@course_view
def practice_delete(request, course, task_id):
    task = get_object_or_404(PracticeTask, pk=task_id, course=course)
    if request.method == "POST":
        services.practice_task_delete(actor=request.user, task=task)
        messages.success(request, _("Practice task “%(title)s” deleted.") % {"title": task.title})
        return redirect("studio:outline", course.pk)
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {
            "course": course,
            "thing": task.title,
            "heading": _("Delete the practice task “%(title)s”?") % {"title": task.title},
            "warning": _(
                "Learners' submissions stay. Published versions keep the task until you "
                "publish again."
            ),
        },
    )
