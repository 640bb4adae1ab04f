from django import forms
from django.utils.translation import gettext_lazy as _


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Policy text in English (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
    )
    body_fr = forms.CharField(
        label=_("Policy text in French (Markdown, optional)"),
        help_text=_("People who read Academy in French see this text; without it, the English."),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
    )
    due_days = forms.IntegerField(
        label=_("Days to acknowledge"),
        help_text=_("Counted from publication, or from the day a person joins the agency."),
        min_value=1,
        max_value=365,
    )
    yearly = forms.BooleanField(
        label=_("Ask again every year (365 days after each person's last acknowledgement)"),
        required=False,
    )


class AcknowledgeForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Your full name"),
        help_text=_("Type your name as it appears on your account, to sign."),
        max_length=200,
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("acknowledged", _("Acknowledged")),
            ("pending", _("Not yet acknowledged")),
        ],
    )
