from django import forms
from django.utils.translation import gettext_lazy as _

SCOPE_CHOICES = [
    ("people:read", _("people:read — read the agency's people")),
    ("people:write", _("people:write — create, change and deactivate people")),
    ("learning:read", _("learning:read — read units, enrollments and completions")),
]


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Client name"),
        max_length=100,
        help_text=_("Say which system uses it, for example “HR system production”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give the client only what it needs."),
    )
