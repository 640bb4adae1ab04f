from django import forms
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to nobody but administrators; the public "
            "verification page says only that it was revoked."
        ),
    )


def answers_from_post(post) -> dict:
    """{question_key: [choice_keys]} from fields named q-<question_key> (any key sent)."""
    return {name[2:]: post.getlist(name) for name in post if name.startswith("q-")}


# Bounds on what an unauthenticated post may leave in a session (see views.PENDING_ANSWERS).
SAFEKEEPING_QUESTIONS, SAFEKEEPING_CHOICES, SAFEKEEPING_KEY = 200, 20, 120


def answers_for_safekeeping(post) -> dict:
    """`answers_from_post`, bounded in size, for answers kept across a sign-in; they are
    checked against the attempt like any other answers when they are saved or submitted."""
    out = {}
    for key, chosen in list(answers_from_post(post).items())[:SAFEKEEPING_QUESTIONS]:
        if len(key) <= SAFEKEEPING_KEY:
            out[key] = [c[:SAFEKEEPING_KEY] for c in chosen[:SAFEKEEPING_CHOICES]]
    return out


class HistoryImportForm(forms.Form):
    """A CSV of past completions (UTF-8), read whole into `text`."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, at most 5 MB; the columns are described above."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 and try again.")) from None
        return upload
