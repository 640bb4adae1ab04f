"""Studio forms: they parse and check the shape of input; the services decide the rules."""

from django import forms
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from ..models import (
    KEY_MAX,
    Course,
    Language,
    Level,
    QuestionType,
    ShowAnswers,
    Visibility,
)
from ..services._common import ONE_LINE_MESSAGE
from ..services.authoring import VALIDITY_MONTHS_MAX
from ..services.content import CHOICE_RULES

CHOICE_ROWS = 5
PLATFORM = "platform"


def one_line(value: str):
    """Titles go into email subjects and headings: a line break would break them."""
    if "\n" in value or "\r" in value:
        raise forms.ValidationError(ONE_LINE_MESSAGE, code="one_line")


def split_topics(raw: str) -> list[str]:
    return [t.strip().lower() for t in raw.replace("\n", ",").split(",") if t.strip()]


def split_lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


class CourseForm(forms.Form):
    """Course settings. `creating` adds the slug (and, for people who may author both agency
    and platform courses, the owner)."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.CharField(
        label=_("Audience"),
        max_length=200,
        required=False,
        help_text=_("Who the course is for, in a few words."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=0, initial=0)
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        help_text=_("Short tags separated by commas, like “ai-basics, prompting”."),
    )
    outcomes = forms.CharField(
        label=_("Learning outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One outcome per line."),
    )
    complete_lessons_at_end = forms.BooleanField(
        label=_("Count a lesson as done when the learner reaches its end"),
        required=False,
        help_text=_("Otherwise learners press “Mark as done” on each lesson."),
    )
    validity_months = forms.IntegerField(
        label=_("Certificate validity in months"),
        required=False,
        min_value=1,
        max_value=VALIDITY_MONTHS_MAX,
        help_text=_(
            "For training that must be renewed, like 12 for a yearly refresher. Certificates "
            "earned on a published version keep the expiry they were issued with. Leave empty "
            "for certificates that never expire."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"),
        choices=Visibility.choices,
        help_text=_("“Every agency” needs a platform admin's approval for an agency's course."),
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Shared with these agencies"),
        required=False,
        queryset=Agency.objects.none(),
        help_text=_(
            "Used when “Chosen agencies” is selected. Hold Ctrl or Command to pick several."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, creating=False, owner_choices=None, exclude_agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True).order_by("name")
        if exclude_agency_id:
            agencies = agencies.exclude(pk=exclude_agency_id)
        self.fields["shared_with"].queryset = agencies
        if creating:
            self.fields["slug"] = forms.SlugField(
                label=_("Web address name"),
                max_length=80,
                required=False,
                help_text=_(
                    "Lower-case letters, digits and dashes. Left empty, it is made from the title."
                ),
            )
            self.order_fields(["title", "slug"])
            del self.fields["revision"]
        if owner_choices and len(owner_choices) > 1:
            self.fields["owner"] = forms.ChoiceField(label=_("Owner"), choices=owner_choices)
            self.order_fields(["owner", "title", "slug"])

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))
        slug = slug[:KEY_MAX]
        if slug and Course.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another course already uses this web address name."))
        return slug

    def service_fields(self) -> dict:
        data = self.cleaned_data
        chosen = data["visibility"] == Visibility.CHOSEN
        return {
            "title": data["title"],
            "summary": data["summary"],
            "audience": data["audience"],
            "level": data["level"],
            "language": data["language"],
            "estimated_minutes": data["estimated_minutes"],
            "topics": split_topics(data["topics"]),
            "outcomes": split_lines(data["outcomes"]),
            "visibility": data["visibility"],
            "shared_with": list(data["shared_with"]) if chosen else [],
            "complete_lessons_at_end": data["complete_lessons_at_end"],
            "validity_months": data["validity_months"],
        }

    @staticmethod
    def initial_for(course: Course) -> dict:
        return {
            "title": course.title,
            "summary": course.summary,
            "audience": course.audience,
            "level": course.level,
            "language": course.language,
            "estimated_minutes": course.estimated_minutes,
            "topics": ", ".join(t.slug for t in course.topics.all()),
            "outcomes": "\n".join(course.outcomes or []),
            "visibility": course.visibility,
            "complete_lessons_at_end": course.complete_lessons_at_end,
            "validity_months": course.validity_months or "",  # "" posts back as "none"
            "shared_with": list(course.shared_with.all()),
            "revision": course.draft_revision,
        }


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])


class LiveStepForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the learner does at the live session. The step is done when they attend a "
            "live session linked to this course."
        ),
    )


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=0, initial=5)
    objectives = forms.CharField(
        label=_("Objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: what the learner will be able to do, shown at the top of the lesson "
            "under “In this lesson you will”."
        ),
    )
    body = forms.CharField(
        label=_("Lesson text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "data-studio-preview-source": ""}),
        help_text=_(
            "Use # for headings, **bold**, *italic*, - for lists, [text](https://…) for links."
        ),
    )
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        assume_scheme="https",
        help_text=_("Optional. A video needs a transcript."),
    )
    transcript = forms.CharField(
        label=_("Video transcript"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_objectives(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["objectives"].splitlines() if line.strip()
        ]

    def service_fields(self) -> dict:
        return {
            f: self.cleaned_data[f]
            for f in ("title", "estimated_minutes", "objectives", "body", "video_url", "transcript")
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File to attach"), help_text=_("Images, PDF, text and Office files.")
    )


class PreviewForm(forms.Form):
    body = forms.CharField(required=False)


class QuizForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80)
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"), min_value=0, initial=0, help_text=_("0 means unlimited.")
    )
    questions_per_attempt = forms.IntegerField(
        label=_("Questions per attempt"),
        min_value=1,
        required=False,
        help_text=_(
            "Drawn from the question pool, which must hold at least this many. Leave empty to "
            "ask every question: while a quiz asks every question, the questions you add are "
            "asked too."
        ),
    )
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle questions"), required=False, initial=True
    )
    shuffle_choices = forms.BooleanField(label=_("Shuffle choices"), required=False, initial=True)
    show_answers = forms.ChoiceField(
        label=_("Show correct answers"),
        choices=ShowAnswers.choices,
        initial=ShowAnswers.AFTER_ATTEMPT,
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for no time limit."),
    )

    SETTINGS = [
        "pass_mark",
        "max_attempts",
        "questions_per_attempt",
        "shuffle_questions",
        "shuffle_choices",
        "show_answers",
        "time_limit_minutes",
    ]

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"] = forms.ChoiceField(
                label=_("Where the quiz goes"),
                choices=places,
                help_text=_("At the end of a module, or at the end of the course."),
            )
            self.order_fields(["place", "title"])

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in ["title", *self.SETTINGS]}


class QuestionForm(forms.Form):
    """A question with a fixed number of choice rows; rows left blank are ignored."""

    type = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    prompt = forms.CharField(
        label=_("Question (Markdown)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    explanation = forms.CharField(
        label=_("Explanation (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to learners with the answers, when the quiz settings allow it."),
    )

    true_false_answer = forms.ChoiceField(
        label=_("For a true-or-false question: the statement is"),
        choices=[("true", _("True")), ("false", _("False"))],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("The two choices, “True” and “False”, are made for you."),
    )
    partial_credit = forms.BooleanField(
        label=_("Give partial credit"),
        required=False,
        help_text=_(
            "Multiple choice only: each right choice ticked earns part of the point, each wrong "
            "one takes as much back. Otherwise the question is all or nothing."
        ),
    )
    objectives = forms.MultipleChoiceField(
        label=_("Objectives this question tests"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "From the objectives the course's lessons state. Every attempt draws at least one "
            "question for each objective a question of the quiz tests."
        ),
    )

    def __init__(self, *args, rows=CHOICE_ROWS, language="en", objectives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.language = language
        named = list(self.initial.get("objectives") or [])
        offered = list(dict.fromkeys([*objectives, *named]))
        self.fields["objectives"].choices = [(o, o) for o in offered]
        for i in range(1, rows + 1):
            self.fields[f"choice_{i}_key"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"choice_{i}_text"] = forms.CharField(
                label=_("Choice %(n)d text") % {"n": i}, max_length=500, required=False
            )
            self.fields[f"choice_{i}_correct"] = forms.BooleanField(
                label=_("Choice %(n)d is correct") % {"n": i}, required=False
            )
            self.fields[f"choice_{i}_feedback"] = forms.CharField(
                label=_("Choice %(n)d feedback") % {"n": i},
                required=False,
                help_text=_("Optional: shown when a learner picks this choice."),
            )

    @property
    def choice_rows(self):
        """Bound fields per row, for the template."""
        return [
            {
                "number": i,
                "key": self[f"choice_{i}_key"],
                "text": self[f"choice_{i}_text"],
                "correct": self[f"choice_{i}_correct"],
                "feedback": self[f"choice_{i}_feedback"],
            }
            for i in range(1, self.rows + 1)
        ]

    @staticmethod
    def true_false_texts(language: str) -> tuple[str, str]:
        """ "True" and "False" in the course's language (what its learners read)."""
        with translation.override(language):
            return str(_("True")), str(_("False"))

    def _true_false_choices(self, data) -> list[dict]:
        """The two choices of a true-or-false question, made from the picked answer; the rows'
        keys and feedback are kept."""
        texts = self.true_false_texts(self.language)
        return [
            {
                "key": data.get(f"choice_{i}_key") or f"c{i}",
                "text": texts[i - 1],
                "is_correct": (data["true_false_answer"] == "true") == (i == 1),
                "feedback": (data.get(f"choice_{i}_feedback") or "").strip(),
            }
            for i in (1, 2)
        ]

    def clean(self):
        data = super().clean()
        if data.get("partial_credit") and data.get("type") != QuestionType.MULTIPLE:
            self.add_error(
                "partial_credit", _("Only a multiple-choice question can give partial credit.")
            )
        if data.get("type") == QuestionType.TRUE_FALSE:
            if data.get("true_false_answer"):
                data["choices"] = self._true_false_choices(data)
                return data
            if not any((data.get(f"choice_{i}_text") or "").strip() for i in (1, 2)):
                self.add_error(
                    "true_false_answer", _("Choose whether the statement is true or false.")
                )
                return data
        choices = []
        for i in range(1, self.rows + 1):
            text = (data.get(f"choice_{i}_text") or "").strip()
            correct = data.get(f"choice_{i}_correct")
            feedback = (data.get(f"choice_{i}_feedback") or "").strip()
            if not text:
                if correct or feedback:
                    self.add_error(
                        f"choice_{i}_text", _("Give this choice some text, or clear the row.")
                    )
                continue
            choices.append(
                {
                    "key": data.get(f"choice_{i}_key") or "",
                    "text": text,
                    "is_correct": bool(correct),
                    "feedback": feedback,
                }
            )
        rules = CHOICE_RULES.get(data.get("type"))
        if rules and not self.errors:
            min_choices, max_choices, min_correct, max_correct = rules
            correct = sum(1 for c in choices if c["is_correct"])
            if len(choices) < min_choices:
                self.add_error(None, _("Give at least %(n)d choices.") % {"n": min_choices})
            if max_choices and len(choices) > max_choices:
                self.add_error(
                    None, _("This type of question has exactly %(n)d choices.") % {"n": max_choices}
                )
            if correct < min_correct:
                self.add_error(None, _("Mark at least one choice as correct."))
            if max_correct and correct > max_correct:
                self.add_error(None, _("This type of question has exactly one correct choice."))
        taken = {c["key"] for c in choices if c["key"]}
        number = 1
        for choice in choices:
            if not choice["key"]:
                while f"c{number}" in taken:
                    number += 1
                choice["key"] = f"c{number}"
                taken.add(choice["key"])
        data["choices"] = choices
        return data

    def service_fields(self) -> dict:
        return {
            f: self.cleaned_data[f]
            for f in ("type", "prompt", "explanation", "partial_credit", "objectives", "choices")
        }

    @classmethod
    def initial_for(cls, question, language: str = "en") -> dict:
        initial = {
            "type": question.type,
            "prompt": question.prompt,
            "explanation": question.explanation,
            "partial_credit": question.partial_credit,
            "objectives": list(question.objectives or []),
        }
        choices = list(question.choices.all())
        texts = [c.text for c in choices]
        if question.type == QuestionType.TRUE_FALSE and texts == list(
            cls.true_false_texts(language)
        ):
            initial["true_false_answer"] = "true" if choices[0].is_correct else "false"
        for i, choice in enumerate(choices, start=1):
            initial.update(
                {
                    f"choice_{i}_key": choice.key,
                    f"choice_{i}_text": choice.text,
                    f"choice_{i}_correct": choice.is_correct,
                    f"choice_{i}_feedback": choice.feedback,
                }
            )
        return initial


class ImportForm(forms.Form):
    bundle = forms.FileField(
        label=_("Course bundle (.zip)"),
        help_text=_("A zip exported from Academy: course.yaml plus one Markdown file per lesson."),
    )

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_choices and len(owner_choices) > 1:
            self.fields["owner"] = forms.ChoiceField(label=_("Owner"), choices=owner_choices)

    def clean_bundle(self):
        bundle = self.cleaned_data["bundle"]
        if not bundle.name.lower().endswith(".zip"):
            raise forms.ValidationError(_("Choose a .zip file."))
        return bundle
