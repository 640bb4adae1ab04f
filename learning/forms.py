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
