"""Studio: the course list, course settings, publishing, versions, export and import.

The outline, lessons, quizzes and the learner preview live in views_outline, views_lesson,
views_quiz and views_preview.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import client_ip

from .. import selectors, services
from ..bundles import BundleError, bundle_export, bundle_import
from ..models import Status, Visibility, VisibilityRequest
from .access import access_version, course_view, studio_required
from .common import apply_service, chosen_owner, owner_choices
from .forms import CourseForm, ImportForm
from .problems import problems_shown


@studio_required
def course_list(request):
    return render(
        request,
        "courses/studio/course_list.html",
        {"courses": selectors.studio_courses(request.user)},
    )


@studio_required
def course_create(request):
    choices = owner_choices(request.user)
    form = CourseForm(request.POST or None, creating=True, owner_choices=choices)
    if request.method == "POST" and form.is_valid():
        allowed, agency = chosen_owner(request.user, form)
        course = allowed and apply_service(
            form,
            lambda: services.course_create(
                actor=request.user,
                agency=agency,
                slug=form.cleaned_data["slug"],
                ip=client_ip(request),
                **form.service_fields(),
            ),
        )
        if course:
            messages.success(request, _("Course created. Now add its modules and lessons."))
            _approval_notice(request, form, course)
            return redirect("studio:outline", course.pk)
    return render(request, "courses/studio/course_form.html", {"form": form, "course": None})


@course_view
def course_edit(request, course):
    initial = CourseForm.initial_for(course)
    form = CourseForm(request.POST or None, initial=initial, exclude_agency_id=course.owner_id)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["revision"] or course.draft_revision
        updated = apply_service(
            form,
            lambda: services.course_update(
                actor=request.user,
                course=course,
                expected_revision=expected,
                **form.service_fields(),
            ),
        )
        if updated:
            messages.success(request, _("Course settings saved."))
            _approval_notice(request, form, updated)
            return redirect("studio:outline", course.pk)
    pending = course.visibility_requests.filter(state=VisibilityRequest.State.PENDING).exists()
    return render(
        request,
        "courses/studio/course_form.html",
        {"form": form, "course": course, "visibility_pending": pending},
    )


def _approval_notice(request, form, course):
    """Say so when "Every agency" was asked for and now waits for a platform admin."""
    if form.cleaned_data["visibility"] == Visibility.ALL and course.visibility != Visibility.ALL:
        messages.info(
            request,
            _(
                "“Every agency” needs a platform admin's approval: your request was sent. "
                "Until then the course keeps its current visibility."
            ),
        )


@course_view
def course_publish(request, course):
    refusal = None
    if request.method == "POST":
        try:
            version = services.course_publish(
                actor=request.user, course=course, ip=client_ip(request)
            )
        except ValidationError as error:
            refusal = getattr(error, "problems", None) or [
                services.Problem("", message) for message in error.messages
            ]
        else:
            messages.success(
                request,
                _("Published version %(number)d. Learners now see it.")
                % {"number": version.number},
            )
            return redirect("studio:outline", course.pk)
    problems = refusal if refusal is not None else services.course_publish_problems(course)
    archived = course.status == Status.ARCHIVED
    return render(
        request,
        "courses/studio/publish.html",
        {
            "course": course,
            "problems": problems_shown(course, problems),
            "refused": refusal is not None,
            "archived": archived,
            "can_publish": not problems and not archived,
        },
    )


@course_view
def version_list(request, course):
    versions = list(selectors.course_versions(course))
    return render(
        request, "courses/studio/version_list.html", {"course": course, "versions": versions}
    )


@course_view
def version_diff(request, course):
    try:
        old = access_version(course, int(request.GET.get("from", "")))
        new = access_version(course, int(request.GET.get("to", "")))
    except ValueError:
        messages.error(request, _("Choose two versions to compare."))
        return redirect("studio:version_list", course.pk)
    return render(
        request,
        "courses/studio/version_diff.html",
        {"course": course, "diff": services.course_version_diff(old, new)},
    )


@course_view
def version_restore(request, course, number):
    version = access_version(course, number)
    if request.method == "POST":
        try:
            services.course_restore_version(
                actor=request.user, course=course, version=version, ip=client_ip(request)
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "Version %(number)d was copied into the draft. Publish "
                    "to make it what learners see."
                )
                % {"number": version.number},
            )
            return redirect("studio:outline", course.pk)
    return render(
        request, "courses/studio/version_restore.html", {"course": course, "version": version}
    )


def _status_change(request, course, service, done_message):
    try:
        service(actor=request.user, course=course, ip=client_ip(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("studio:outline", course.pk)


@require_POST
@course_view
def course_archive(request, course):
    return _status_change(
        request,
        course,
        services.course_archive,
        _("Course archived: it is hidden from the catalog."),
    )


@require_POST
@course_view
def course_unarchive(request, course):
    return _status_change(
        request, course, services.course_unarchive, _("Course brought back from the archive.")
    )


@course_view
def course_export(request, course):
    draft = request.GET.get("source") != "published"
    try:
        data = bundle_export(course, draft=draft)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("studio:outline", course.pk)
    suffix = "draft" if draft else f"v{course.current_version.number}"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-{suffix}.zip"'
    return response


@studio_required
def course_import(request):
    form = ImportForm(
        request.POST or None, request.FILES or None, owner_choices=owner_choices(request.user)
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        allowed, agency = chosen_owner(request.user, form)
        if allowed:
            try:
                course = bundle_import(
                    form.cleaned_data["bundle"],
                    actor=request.user,
                    agency=agency,
                    ip=client_ip(request),
                )
            except BundleError as error:
                problems = error.problems
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request, _("Imported “%(title)s” as a draft.") % {"title": course.title}
                )
                return redirect("studio:outline", course.pk)
    return render(request, "courses/studio/import.html", {"form": form, "problems": problems})
