import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import COURSE_FIELDS
from .models import CourseCoding, SessionCoding


class SettingsForm(forms.Form):
    subelement_code = forms.CharField(
        label=_("Agency subelement code"),
        max_length=10,
        help_text=_("Your agency and subelement as OPM knows them, letters and digits."),
    )
    require_coding = forms.BooleanField(
        label=_("Courses must be coded for OPM before they are published"), required=False
    )


class CodingForm(forms.ModelForm):
    class Meta:
        model = CourseCoding
        fields = [spec.name for spec in COURSE_FIELDS] + ["training_credit", "duty_hours"]


class SessionCodingForm(forms.ModelForm):
    class Meta:
        model = SessionCoding
        fields = CodingForm.Meta.fields


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if end - start > datetime.timedelta(days=366):
                raise forms.ValidationError(_("Choose a period of at most a year."))
        return data


class EmployeeIdsForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Two columns with this header: %(columns)s. Never Social Security numbers."
        ) % {"columns": "email,employee_id"}
