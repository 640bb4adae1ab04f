import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.db import transaction

from agencies.services import membership_join_on_signup

from .signals import PROVIDER_LOGOUT_URL_KEY


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Save the new account. Its agency membership (and an invited role) waits until the
        address is verified (accounts.signals.join_agency_once_verified); only a deployment
        that turns verification off (ACCOUNT_EMAIL_VERIFICATION = "none") grants it here."""
        user.full_name = form.cleaned_data.get("full_name", "")
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            verification = account_settings.EMAIL_VERIFICATION
            if commit and verification == account_settings.EmailVerificationMethod.NONE:
                membership_join_on_signup(user=user)
        return user

    def get_logout_redirect_url(self, request):
        """After signing out, a person who signed in through their agency's identity provider
        goes to the provider's own logout (allauth reads this before the session ends)."""
        return request.session.get(PROVIDER_LOGOUT_URL_KEY) or super().get_logout_redirect_url(
            request
        )

    def is_reauthentication_required(self, *, app, **kwargs):
        """A sign-in with a password in the last few minutes counts as re-authentication.

        Without this, a member of an agency that requires MFA would have to type their password
        twice in a row: once to sign in, and again before setting up their authenticator.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not self._signed_in_moments_ago()

    def _signed_in_moments_ago(self):
        request = self.request
        if request is None or not request.user.is_authenticated:
            return False
        records = get_authentication_records(request, request.user)
        last = records[-1] if records else None
        return bool(
            last
            and last.get("method") == "password"
            and time.time() - last["at"] < account_settings.REAUTHENTICATION_TIMEOUT
        )
