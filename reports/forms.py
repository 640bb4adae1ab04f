from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportFormat, ReportSchedule
from .registries import report_kind_choices


class DashboardFilterForm(forms.Form):
    """The dashboard's GET filters; ids are checked against the user's scope by the view."""

    agency = forms.IntegerField(required=False, min_value=1)
    unit = forms.IntegerField(required=False, min_value=1)
    course = forms.IntegerField(required=False, min_value=1)
    path = forms.IntegerField(required=False, min_value=1)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    required = forms.BooleanField(label=_("Required training only"), required=False)


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=report_kind_choices)
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)


class ReportScheduleForm(ReportRequestForm):
    frequency = forms.ChoiceField(label=_("How often"), choices=ReportSchedule.Frequency.choices)
