from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SubmissionStatus


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Saved as a draft until you submit it. Only you and the reviewers see it."),
    )
    draft_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Add a file"))


class QueueFilterForm(forms.Form):
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("All courses"))] + [
            (pk, title) for pk, title in courses
        ]
        self.fields["status"].choices = [("", _("Waiting or being reviewed"))] + [
            (value, label)
            for value, label in SubmissionStatus.choices
            if value != SubmissionStatus.DRAFT
        ]


def review_fields(task: dict, data=None):
    """A form with one level choice and one comment per rubric criterion, and an overall
    comment (built from the submission's task)."""

    class ReviewForm(forms.Form):
        comment = forms.CharField(
            label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
        )

    form = ReviewForm(data)
    for criterion in task["rubric"]:
        form.fields[f"level_{criterion['key']}"] = forms.ChoiceField(
            label=criterion["title"],
            widget=forms.RadioSelect,
            choices=[
                (str(i), f"{lv['descriptor']} ({lv['points']})")
                for i, lv in enumerate(criterion["levels"])
            ],
        )
        form.fields[f"comment_{criterion['key']}"] = forms.CharField(
            label=_("Comment on “%(criterion)s”") % {"criterion": criterion["title"]},
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    return form
