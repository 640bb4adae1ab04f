import time

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from agencies.services import membership_join_on_signup

from .services import user_first_sign_in

SESSION_STARTED_KEY = "academy_session_started"


@receiver(user_logged_in)
def stamp_session_start(sender, request, user, **kwargs):
    # The absolute session lifetime counts from sign-in (see SessionLifetimeMiddleware).
    request.session[SESSION_STARTED_KEY] = int(time.time())


@receiver(user_logged_in)
def record_first_sign_in(sender, request, user, **kwargs):
    user_first_sign_in(user=user)


@receiver(email_confirmed)
def join_agency_once_verified(sender, request, email_address, **kwargs):
    # Membership and an invited role are granted to the proven owner of the address only.
    membership_join_on_signup(user=email_address.user, email=email_address.email)
