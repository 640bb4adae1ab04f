from django import forms
from django.utils.translation import gettext_lazy as _

from .models import REVIEW_TARGET_MAX_HOURS, SubmissionStatus
from .selectors import default_target_hours, review_targets


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


class ReviewTargetForm(forms.Form):
    review_target_hours = forms.IntegerField(
        label=_("Review target for practice tasks (hours)"),
        required=False,
        min_value=1,
        max_value=REVIEW_TARGET_MAX_HOURS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_target_hours"].help_text = _(
            "How long work handed in may wait for its review before the dashboard flags it "
            "and the reviewers are reminded. Leave empty for the platform's target "
            "(%(hours)d hours)."
        ) % {"hours": default_target_hours()}


def review_target_form(agency, data=None, prefix=None) -> ReviewTargetForm:
    """The Agency settings page's practice section (agencies.registries.settings_sections), with
    the agency's own target (read from the cached targets: no query once cached)."""
    initial = {"review_target_hours": review_targets().get(agency.pk)}
    return ReviewTargetForm(data, initial=initial, prefix=prefix)


class CourseReviewersForm(forms.Form):
    reviewers = forms.MultipleChoiceField(
        label=_("Reviewers of this course"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only the people ticked see and grade the work your agency's learners hand in for "
            "this course. Tick nobody to let every trainer and admin of your agency review it."
        ),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [
            (str(m.user_id), f"{m.user.full_name or m.user.email} ({m.get_role_display()})")
            for m in candidates
        ]
