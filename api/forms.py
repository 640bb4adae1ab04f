from django import forms
from django.utils.translation import gettext_lazy as _

from .services import PLATFORM_SCOPES

SCOPE_CHOICES = [
    ("people:read", _("people:read — read the agency's people")),
    ("people:write", _("people:write — create, change and deactivate people")),
    ("learning:read", _("learning:read — read units, enrollments and completions")),
    ("learning:write", _("learning:write — import past completions")),
    ("assignments:write", _("assignments:write — assign training and remove assignments")),
    ("reports:read", _("reports:read — request reports and download them")),
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


class PlatformClientForm(ClientForm):
    """A platform client reads every agency: read scopes only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [
            (value, label) for value, label in SCOPE_CHOICES if value in PLATFORM_SCOPES
        ]
        self.fields["name"].help_text = _("Say which system uses it, for example “data warehouse”.")
