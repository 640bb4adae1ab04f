"""Studio: a module's live-session steps (add, edit, move, delete), by links and forms."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from .access import access_live_step, access_module, course_view
from .common import apply_service
from .forms import LiveStepForm
from .views_outline import confirm_delete, moved


def _at(course, step):
    return redirect(f"{reverse('studio:outline', args=[course.pk])}#live-step-{step.pk}")


@course_view
def live_step_add(request, course, module_id):
    module = access_module(course, module_id)
    form = LiveStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = apply_service(
            form,
            lambda: services.live_step_create(
                actor=request.user, module=module, **form.cleaned_data
            ),
        )
        if step:
            messages.success(request, _("Live-session step added."))
            return _at(course, step)
    return render(
        request,
        "courses/studio/live_step_form.html",
        {"course": course, "module": module, "form": form},
    )


@course_view
def live_step_edit(request, course, step_id):
    step = access_live_step(course, step_id)
    form = LiveStepForm(
        request.POST or None, initial={"title": step.title, "description": step.description}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            form,
            lambda: services.live_step_update(actor=request.user, step=step, **form.cleaned_data),
        )
    ):
        messages.success(request, _("Live-session step saved."))
        return _at(course, step)
    return render(
        request,
        "courses/studio/live_step_form.html",
        {"course": course, "module": step.module, "step": step, "form": form},
    )


@require_POST
@course_view
def live_step_move(request, course, step_id):
    step = access_live_step(course, step_id)
    moved(
        request,
        lambda: services.live_step_move(
            actor=request.user, step=step, direction=request.POST.get("direction", "")
        ),
    )
    return _at(course, step)


@course_view
def live_step_delete(request, course, step_id):
    step = access_live_step(course, step_id)
    if request.method == "POST":
        services.live_step_delete(actor=request.user, step=step)
        messages.success(
            request, _("Live-session step “%(title)s” deleted.") % {"title": step.title}
        )
        return redirect("studio:outline", course.pk)
    return confirm_delete(
        request,
        course,
        thing=step.title,
        heading=_("Delete the live-session step “%(title)s”?") % {"title": step.title},
        warning=_(
            "Published versions keep it until you publish again. Credits already given for it "
            "stay with the learners."
        ),
    )
