"""Editing a module's live-session steps in the draft.

A live-session step is done by attending a live session linked to the course (the `live` app
links its sessions to a course and, optionally, to a step's key; courses never imports live).
Its key is stable: it names the step's credit (`live:<key>`) across versions, so it is set once
and never changed.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import LiveStep, Module
from ._common import (
    check_key,
    lock_course,
    next_position,
    reorder,
    require,
    require_editor,
    require_title,
    touch,
    unique_key,
)


def live_step_create(
    *, actor, module: Module, title: str, description: str = "", key: str | None = None
) -> LiveStep:
    """Add a live-session step at the end of the module's steps (key made from the title when
    not given; it must be free in the course)."""
    course = module.course
    with transaction.atomic():
        require_editor(actor, course)
        lock_course(course)
        require_title(title, _("Give the live-session step a title."))
        taken = set(LiveStep.objects.filter(course=course).values_list("key", flat=True))
        key = key or unique_key(title, taken)
        check_key(key, what=_("live-session step"))
        require(
            key not in taken, _("Another live-session step in this course already uses this key.")
        )
        step = LiveStep.objects.create(
            course=course,
            module=module,
            key=key,
            title=title.strip(),
            description=(description or "").strip(),
            position=next_position(module.live_steps),
        )
        touch(course)
    return step


def live_step_update(*, actor, step: LiveStep, title: str, description: str = "") -> LiveStep:
    """Change the step's title and description (its key stays)."""
    with transaction.atomic():
        require_editor(actor, step.course)
        require_title(title, _("Give the live-session step a title."))
        step.title = title.strip()
        step.description = (description or "").strip()
        step.save(update_fields=["title", "description"])
        touch(step.course)
    return step


def live_step_move(*, actor, step: LiveStep, direction: str) -> LiveStep:
    """Move a step one place "up" or "down" among its module's live-session steps."""
    with transaction.atomic():
        require_editor(actor, step.course)
        lock_course(step.course)
        reorder(step.module.live_steps.all(), step, direction)
        touch(step.course)
    return step


def live_step_delete(*, actor, step: LiveStep) -> None:
    """Take the step out of the draft (published versions keep it until the next publish)."""
    with transaction.atomic():
        require_editor(actor, step.course)
        step.delete()
        touch(step.course)
