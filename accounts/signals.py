import time

from allauth.account.signals import email_confirmed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.services import membership_join_on_signup

from .models import User
from .services import user_first_sign_in
from .session_user import user_cache_forget

SESSION_STARTED_KEY = "academy_session_started"
# When the session was last saved to renew its inactivity window (accounts.middleware).
SESSION_TOUCHED_KEY = "academy_session_touched"
# The user id of a session that signed in with an authenticator, or that has set one up since.
MFA_VERIFIED_KEY = "academy_mfa_verified"
# Set by a sign-in through an agency's identity provider (sso/): the provider's logout address,
# where signing out of Academy sends the person next (AccountAdapter.get_logout_redirect_url).
PROVIDER_LOGOUT_URL_KEY = "academy_sso_logout_url"


@receiver(user_logged_in)
def stamp_session_start(sender, request, user, **kwargs):
    # The absolute session lifetime counts from sign-in (see SessionLifetimeMiddleware).
    request.session[SESSION_STARTED_KEY] = int(time.time())


@receiver(user_logged_in)
def remember_mfa_sign_in(sender, request, user, **kwargs):
    # allauth asks for the second factor before it logs in anyone who has an authenticator, so a
    # user with one who is logged in has passed it.
    if Authenticator.objects.filter(user=user).exists():
        request.session[MFA_VERIFIED_KEY] = user.pk
    else:
        request.session.pop(MFA_VERIFIED_KEY, None)


@receiver(authenticator_added)
def remember_mfa_set_up(sender, request, user, **kwargs):
    request.session[MFA_VERIFIED_KEY] = user.pk


@receiver(authenticator_removed)
def forget_mfa_when_removed(sender, request, user, **kwargs):
    if not Authenticator.objects.filter(user=user).exists():
        request.session.pop(MFA_VERIFIED_KEY, None)


@receiver(user_logged_in)
def record_first_sign_in(sender, request, user, **kwargs):
    user_first_sign_in(user=user)


@receiver(email_confirmed)
def join_agency_once_verified(sender, request, email_address, **kwargs):
    # Membership and an invited role are granted to the proven owner of the address only.
    membership_join_on_signup(user=email_address.user, email=email_address.email)


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def forget_cached_user(sender, instance, **kwargs):
    # Whoever writes the row (a service, allauth's password change, the admin, the last-login
    # stamp), the signed-in user's next request reads it again (accounts/session_user.py).
    user_cache_forget([instance.pk])
