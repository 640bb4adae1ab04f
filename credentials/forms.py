from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .verify import MAX_LENGTH


class VerifyForm(forms.Form):
    """A credential to check: pasted, or a .jwt / .json file."""

    text = forms.CharField(
        label=_("Credential"),
        help_text=_("Paste the signed credential (the contents of the .jwt file)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("Or choose the credential file"),
        help_text=_("A .jwt file downloaded from Academy."),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_LENGTH:
                raise ValidationError(_("This file is too large to be an Academy credential."))
            try:
                cleaned["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(_("This file is not a credential.")) from None
        if not (cleaned.get("text") or "").strip():
            raise ValidationError(_("Paste a credential or choose a file."))
        return cleaned


class CredentialPolicyForm(forms.Form):
    include_result = forms.BooleanField(
        label=_("Include the result (final score) in the credential"),
        required=False,
        help_text=_(
            "The final score is the mean of the best passing score of each quiz. It applies to "
            "credentials issued from now on; credentials already issued keep what they say."
        ),
    )
