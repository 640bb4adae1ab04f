"""Helpers shared by the course services."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import actor_for

from ..access import can_edit_course
from ..models import KEY_MAX, Course

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def require(condition, message):
    if not condition:
        raise ValidationError(message)


ONE_LINE_MESSAGE = gettext_lazy("A title must fit on one line: remove the line breaks.")


def is_one_line(value) -> bool:
    """No line break: titles go into email subjects (a newline there is a BadHeaderError)."""
    return "\n" not in str(value or "") and "\r" not in str(value or "")


def require_title(value, message):
    """A title that is not blank and fits on one line."""
    require(str(value or "").strip(), message)
    require(is_one_line(str(value or "").strip()), ONE_LINE_MESSAGE)


def is_valid_key(key) -> bool:
    return isinstance(key, str) and len(key) <= KEY_MAX and bool(KEY_RE.match(key))


def check_key(key, *, what):
    require(
        is_valid_key(key),
        _("The %(what)s key “%(key)s” must be lower-case letters, digits and dashes.")
        % {"what": what, "key": key},
    )


def require_editor(actor, course: Course):
    """actor None is the system (management commands, seeders); anyone else must be an editor."""
    if actor is None:
        return
    require(can_edit_course(actor_for(actor), course), _("You cannot edit this course."))


def unique_key(base: str, taken: set[str]) -> str:
    stem = (slugify(base) or "item")[: KEY_MAX - 4]
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}-{n}", n + 1
    return key


def next_position(queryset) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def touch(course: Course):
    """Mark the draft as changed (the studio shows "unpublished changes" from this)."""
    Course.objects.filter(pk=course.pk).update(draft_updated_at=timezone.now())


def lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def reorder(items, item, direction: str):
    """Move `item` one place up or down among `items` (ordered), renumbering positions."""
    require(direction in ("up", "down"), _("Choose up or down."))
    items = list(items)
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, x in enumerate(items):
        x.position = position
    type(item).objects.bulk_update(items, ["position"])
    item.position = next(x.position for x in items if x.pk == item.pk)
