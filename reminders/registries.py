"""Extension points of `reminders` (see academy/registry.py), filled from `AppConfig.ready()`.

`assignable_kinds`: the kinds of item an assignment can point at. A kind names the Assignment
field (and `assignment_create` keyword) that holds its item, the label and choices the
assignment form offers, and the courses the assignment then puts people in. The built-in
"course" and "path" (learning path) are registered first, by `RemindersConfig.ready()`, from
reminders/assignables.py; a downstream app (live sessions) registers its own from its `ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from academy.registry import Registry


@dataclass(frozen=True)
class AssignableKind:
    """One kind of thing that can be assigned."""

    field: str  # the Assignment foreign key (and assignment_create keyword) holding the item
    label: str  # the assignment form's label for its choice
    choices: Callable  # choices(agency_id) -> queryset of items the agency may assign
    courses: Callable  # courses(assignment) -> the courses it puts people in, in order


assignable_kinds: Registry[AssignableKind] = Registry("assignable kinds")


def assignable_kind_of(assignment) -> AssignableKind:
    """The registered kind whose item the assignment holds."""
    for kind in assignable_kinds.values():
        if getattr(assignment, f"{kind.field}_id", None) is not None:
            return kind
    raise LookupError(f"assignment {assignment.pk} holds no registered kind of item")
