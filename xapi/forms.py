from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import Activity, ActorFormat, XapiVersion


class LrsConfigForm(forms.Form):
    endpoint = forms.URLField(
        label=_("LRS endpoint"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "The address your LRS gives for xAPI, ending before /statements "
            "(for example https://lrs.example.gov/xAPI/)."
        ),
    )
    key = forms.CharField(label=_("Key (user name)"), max_length=200)
    secret = forms.CharField(
        label=_("Secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved. Leave blank to keep the stored secret."),
    )
    version = forms.ChoiceField(label=_("xAPI version"), choices=XapiVersion.choices)
    actor_format = forms.ChoiceField(
        label=_("Identify people by"),
        choices=ActorFormat.choices,
        help_text=_(
            "An opaque id is the same for a person in every statement and tells the LRS "
            "nothing else about them."
        ),
    )
    activities = forms.MultipleChoiceField(
        label=_("Activities to send"),
        choices=Activity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Send statements to this LRS"), required=False)
