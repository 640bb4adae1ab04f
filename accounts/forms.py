from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.services import agency_for_email, invitation_usable_for


class AgencySignupForm(SignupForm):
    """Sign-up is open to email domains an agency registered, or to people who were invited."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_email(self):
        email = super().clean_email()
        invited = invitation_usable_for(email)
        if not invited and agency_for_email(email) is None:
            raise forms.ValidationError(
                _(
                    "Sign-up is open to email addresses of participating agencies only. "
                    "Use your work email address, or ask your agency's Academy administrator "
                    "for an invitation."
                ),
                code="unknown_domain",
            )
        return email
