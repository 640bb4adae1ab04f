"""Practice tasks in the content dict: read from the draft, written back, checked, rendered.

A module may hold `practice: [TASK]` (after its lessons, before its quiz). The key is left out
of a module without tasks, so the content hashes of courses without tasks stay what they were.

    TASK = {key, title, brief (Markdown), hand_in: text | files | both, file_types: [".pdf"],
            max_file_mb, pass_mark (rubric points), resubmissions, anonymous_review,
            rubric: [{key, title, levels: [{points, descriptor}]}]}

A version's snapshot adds `brief_html` (the brief through the lesson sanitiser).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..conf import limit
from ..markdown import render_markdown
from ..models import KEY_MAX, HandIn, PracticeTask
from ._common import is_one_line, is_valid_key, next_position, require_editor, touch

PRACTICE_FIELDS = [
    "key",
    "title",
    "brief",
    "hand_in",
    "file_types",
    "max_file_mb",
    "pass_mark",
    "resubmissions",
    "anonymous_review",
    "rubric",
]
MAX_FILE_MB = 50


def practice_dict(task: PracticeTask) -> dict:
    return {
        "key": task.key,
        "title": task.title,
        "brief": task.brief,
        "hand_in": str(task.hand_in),
        "file_types": list(task.file_types or []),
        "max_file_mb": task.max_file_mb,
        "pass_mark": task.pass_mark,
        "resubmissions": task.resubmissions,
        "anonymous_review": task.anonymous_review,
        "rubric": [
            {
                "key": c["key"],
                "title": c["title"],
                "levels": [
                    {"points": lv["points"], "descriptor": lv["descriptor"]} for lv in c["levels"]
                ],
            }
            for c in task.rubric or []
        ],
    }


def practice_by_module(course) -> dict[int, list[dict]]:
    """{module id: [task dict]} of the course's draft (one query)."""
    out: dict[int, list[dict]] = {}
    for task in PracticeTask.objects.filter(course=course):
        out.setdefault(task.module_id, []).append(practice_dict(task))
    return out


def practice_create(course, module, tasks: list[dict]) -> None:
    PracticeTask.objects.bulk_create(
        PracticeTask(
            course=course,
            module=module,
            position=i,
            **{f: t[f] for f in PRACTICE_FIELDS if t.get(f) is not None},
        )
        for i, t in enumerate(tasks)
    )


def rubric_max_points(rubric) -> int:
    """The most points a submission can score: the best level of every criterion."""
    return sum(max((lv["points"] for lv in c.get("levels") or []), default=0) for c in rubric)


def _is_count(value, minimum=0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def practice_problems(task: dict, path: str, keys: set) -> list:
    """(path, message) pairs: every reason this task cannot be published."""
    out = []
    add = lambda p, m: out.append((p, m))  # noqa: E731
    name = {"task": str(task.get("title") or task.get("key") or _("untitled"))[:60]}
    key = task.get("key")
    if not is_valid_key(key) or len(key) > KEY_MAX - len("practice:"):
        add(f"{path}.key", _("The practice task “%(task)s” has a missing or invalid key.") % name)
    elif key in keys:
        add(f"{path}.key", _("Two practice tasks use the key “%s”; each needs its own.") % key)
    keys.add(key)
    title = str(task.get("title") or "").strip()
    if not title or not is_one_line(title):
        add(f"{path}.title", _("A practice task needs a title on one line."))
    if not str(task.get("brief") or "").strip():
        add(f"{path}.brief", _("The practice task “%(task)s” has no brief. Write it.") % name)
    if task.get("hand_in") not in HandIn.values:
        add(
            f"{path}.hand_in",
            _("Choose what the practice task “%(task)s” asks for (one of: %(values)s).")
            % {**name, "values": ", ".join(HandIn.values)},
        )
    allowed = limit("ACADEMY_ATTACHMENT_TYPES")
    types = task.get("file_types")
    if not isinstance(types, list) or any(t not in allowed for t in types):
        add(
            f"{path}.file_types",
            _("The file types of the practice task “%(task)s” must be among: %(ok)s")
            % {**name, "ok": ", ".join(sorted(allowed))},
        )
    elif task.get("hand_in") in (HandIn.FILES, HandIn.BOTH) and not types:
        add(
            f"{path}.file_types",
            _("The practice task “%(task)s” asks for files: list the allowed file types.") % name,
        )
    if not _is_count(task.get("max_file_mb"), 1) or task["max_file_mb"] > MAX_FILE_MB:
        add(
            f"{path}.max_file_mb",
            _("The largest file of “%(task)s” must be from 1 to %(max)d MB.")
            % {**name, "max": MAX_FILE_MB},
        )
    if not _is_count(task.get("resubmissions")):
        add(f"{path}.resubmissions", _("Resubmissions allowed must be 0 or more."))
    if not isinstance(task.get("anonymous_review"), bool):
        add(f"{path}.anonymous_review", _("Anonymous review must be true or false."))
    out.extend(_rubric_problems(task, path, name))
    return out


def _rubric_problems(task: dict, path: str, name: dict) -> list:
    out = []
    rubric = task.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        return [
            (f"{path}.rubric", _("The practice task “%(task)s” has no rubric criteria.") % name)
        ]
    criterion_keys = set()
    for i, c in enumerate(rubric):
        c_path = f"{path}.rubric[{i}]"
        if not isinstance(c, dict):
            out.append((c_path, _("A rubric criterion must have a key, a title and levels.")))
            continue
        if not is_valid_key(c.get("key")) or c.get("key") in criterion_keys:
            out.append((f"{c_path}.key", _("A rubric criterion has a missing or duplicate key.")))
        criterion_keys.add(c.get("key"))
        title = str(c.get("title") or "").strip()
        if not title or not is_one_line(title):
            out.append((f"{c_path}.title", _("A rubric criterion needs a title on one line.")))
        levels = c.get("levels")
        if not isinstance(levels, list) or len(levels) < 2:
            out.append((f"{c_path}.levels", _("A rubric criterion needs at least two levels.")))
            continue
        for j, level in enumerate(levels):
            ok = (
                isinstance(level, dict)
                and _is_count(level.get("points"))
                and str(level.get("descriptor") or "").strip()
            )
            if not ok:
                out.append(
                    (
                        f"{c_path}.levels[{j}]",
                        _("Each level needs points (0 or more) and a descriptor."),
                    )
                )
    if out:
        return out
    top = rubric_max_points(rubric)
    if not _is_count(task.get("pass_mark"), 1) or task["pass_mark"] > top:
        out.append(
            (
                f"{path}.pass_mark",
                _(
                    "The pass mark of “%(task)s” must be from 1 to %(top)d points (the rubric's "
                    "best score)."
                )
                % {**name, "top": top},
            )
        )
    return out


def practice_render(task: dict) -> None:
    task["brief_html"] = render_markdown(task["brief"])


def practice_strip(task: dict) -> None:
    task.pop("brief_html", None)


# --- authoring -----------------------------------------------------------------------------


def practice_task_save(*, actor, module, data: dict, task: PracticeTask | None = None):
    """Create a practice task at the end of `module`'s tasks, or update `task`, from a task dict
    (PRACTICE_FIELDS). Refuses (ValidationError, every problem listed) a task that could not be
    published, so the draft never holds a broken task; nothing changes then."""
    course = module.course
    with transaction.atomic():
        require_editor(actor, course)
        others = set(
            PracticeTask.objects.filter(course=course)
            .exclude(pk=task.pk if task else None)
            .values_list("key", flat=True)
        )
        problems = practice_problems(data, "", others)
        if problems:
            raise ValidationError([message for _path, message in problems])
        if task is None:
            task = PracticeTask(
                course=course,
                module=module,
                position=next_position(PracticeTask.objects.filter(module=module)),
            )
        for f in PRACTICE_FIELDS:
            setattr(task, f, data[f])
        task.save()
        touch(course)
    return task


def practice_task_delete(*, actor, task: PracticeTask) -> None:
    with transaction.atomic():
        require_editor(actor, task.course)
        task.delete()
        touch(task.course)
