"""Extension points of `reminders` (see academy/registry.py), filled from `AppConfig.ready()`.

`assignable_kinds`: the kinds of item an assignment can point at. A kind names the Assignment
field (and `assignment_create` keyword) that holds its item, the label and choices the
assignment form offers, and the courses the assignment then puts people in. The built-in
"course" and "path" (learning path) are registered first, by `RemindersConfig.ready()`, from
reminders/assignables.py; a downstream app (live sessions) registers its own from its `ready()`.

`reminder_sources`: reminders that a downstream app decides (live sessions: 24 hours and 1 hour
before a session) but that go through reminders' exactly-once log. The app records them with
`reminders.services.reminders_record` (one ReminderLog row per unique key) and registers, under
its kinds, how to turn a chunk of its log rows into messages; reminders' sender claims, sends,
retries and sweeps them like any other reminder, with the same Message-ID on a resend. A
source may also give a `record(now)`: reminders' scan task then calls it every minute, so the
source needs no periodic task of its own.
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


@dataclass(frozen=True)
class ReminderMessage:
    """What a reminder source says for one log row: the email and its in-app notification."""

    subject: str
    text: str
    html: str = ""
    url: str = ""


@dataclass(frozen=True)
class ReminderSource:
    """A downstream app's reminders. `prepare(logs, now)` loads what it needs for a chunk of
    its ReminderLog rows in a bounded number of queries and returns, per log id, either a
    ReminderMessage or a string saying why the reminder is moot (it is then skipped)."""

    kinds: tuple[str, ...]
    prepare: Callable  # prepare(logs, now) -> {log id: ReminderMessage | str}
    # Optional: record(now) -> ids of the log rows it wrote (through reminders_record). Called
    # by reminders' own scan (beat, every minute) for sources that have no schedule of their
    # own (practice: reviews waiting longer than the target).
    record: Callable | None = None


reminder_sources: Registry[ReminderSource] = Registry("reminder sources")


def reminder_source_for(kind: str) -> ReminderSource | None:
    """The registered source that owns reminders of `kind`, if any."""
    for source in reminder_sources.values():
        if kind in source.kinds:
            return source
    return None


def assignable_kind_of(assignment) -> AssignableKind:
    """The registered kind whose item the assignment holds."""
    for kind in assignable_kinds.values():
        if getattr(assignment, f"{kind.field}_id", None) is not None:
            return kind
    raise LookupError(f"assignment {assignment.pk} holds no registered kind of item")
