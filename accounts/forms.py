from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.services import agency_for_email, invitation_usable_for

from .registries import password_refused_for


class AgencySignupForm(SignupForm):
    """Sign-up is open to email domains an agency registered, or to people who were invited."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_email(self):
        email = super().clean_email()
        refused = password_refused_for(email)
        if refused:
            raise forms.ValidationError(refused, code="sso_only")
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


class AgencyLoginForm(LoginForm):
    """allauth's sign-in form, refusing a right password for a person whose agency signs in
    through its identity provider only (asked once the password is right, so the answer tells
    nothing about whether an account exists)."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None:
            refused = password_refused_for(user.email)
            if refused:
                self.user = None
                raise forms.ValidationError(refused, code="sso_only")
        return cleaned
