"""The studio's practice task form: the rubric is written one criterion a line,
`Criterion title | 0 = descriptor | 2 = descriptor`, so it is typed and read with a keyboard
alone; the services check the task as a whole (courses.services.practice)."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..models import KEY_MAX, HandIn
from .forms import one_line


def rubric_text(rubric: list[dict]) -> str:
    """The rubric as the form writes it (see the module docstring)."""
    return "\n".join(
        " | ".join([c["title"], *(f"{lv['points']} = {lv['descriptor']}" for lv in c["levels"])])
        for c in rubric
    )


def parse_rubric(raw: str, keys: dict[str, str] | None = None) -> list[dict]:
    """Criteria from the form's text; `keys` keeps the key of a criterion whose title stays
    the same (reviews refer to criteria by key). ValidationError naming the line at fault."""
    keys = keys or {}
    rubric, taken = [], set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        title, *parts = [p.strip() for p in line.split("|")]
        levels = []
        for part in parts:
            points, sep, descriptor = part.partition("=")
            if not sep or not points.strip().isdigit() or not descriptor.strip():
                raise forms.ValidationError(
                    _(
                        "Line %(n)d: write each level as “points = descriptor”, for example "
                        "“2 = Every change explained”."
                    )
                    % {"n": number}
                )
            levels.append({"points": int(points), "descriptor": descriptor.strip()})
        key = keys.get(title) or slugify(title)[: KEY_MAX - 4] or f"criterion-{number}"
        while key in taken:
            key += "-2"
        taken.add(key)
        rubric.append({"key": key, "title": title, "levels": levels})
    return rubric


class PracticeTaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    brief = forms.CharField(
        label=_("Brief (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What the learner must do, and with what. Shown above the answer box."),
    )
    hand_in = forms.ChoiceField(label=_("What to hand in"), choices=HandIn.choices)
    file_types = forms.CharField(
        label=_("Allowed file types"),
        required=False,
        help_text=_("Extensions separated by commas, for example: .pdf, .docx"),
    )
    max_file_mb = forms.IntegerField(
        label=_("Largest file (MB)"), min_value=1, max_value=50, initial=5
    )
    rubric = forms.CharField(
        label=_("Rubric"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One criterion a line: its title, then each level as “points = descriptor”, "
            "separated by “|”. For example: Personal data removed | 0 = Some remains | "
            "2 = All removed"
        ),
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (points)"), min_value=1, help_text=_("Out of the rubric's best score.")
    )
    resubmissions = forms.IntegerField(label=_("Resubmissions allowed"), min_value=0, initial=2)
    anonymous_review = forms.BooleanField(
        label=_("Anonymous review (reviewers do not see the learner's name)"), required=False
    )

    def __init__(self, *args, task=None, **kwargs):
        self.task = task
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": task.title,
                "brief": task.brief,
                "hand_in": task.hand_in,
                "file_types": ", ".join(task.file_types),
                "max_file_mb": task.max_file_mb,
                "rubric": rubric_text(task.rubric),
                "pass_mark": task.pass_mark,
                "resubmissions": task.resubmissions,
                "anonymous_review": task.anonymous_review,
            }
        super().__init__(*args, **kwargs)

    def clean_file_types(self):
        raw = self.cleaned_data["file_types"]
        types = []
        for part in raw.replace("\n", ",").split(","):
            ext = part.strip().lower()
            if ext:
                types.append(ext if ext.startswith(".") else f".{ext}")
        return list(dict.fromkeys(types))

    def clean_rubric(self):
        keys = {c["title"]: c["key"] for c in (self.task.rubric if self.task else [])}
        return parse_rubric(self.cleaned_data["rubric"], keys)

    def task_data(self, taken: set[str]) -> dict:
        """The task dict for the services: a new task's key comes from its title."""
        data = dict(self.cleaned_data)
        if self.task is not None:
            data["key"] = self.task.key
        else:
            stem = slugify(data["title"])[: KEY_MAX - 20] or "practice"
            key, n = stem, 2
            while key in taken:
                key, n = f"{stem}-{n}", n + 1
            data["key"] = key
        return data
