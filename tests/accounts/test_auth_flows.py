import re
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.signals import SESSION_STARTED_KEY, SESSION_TOUCHED_KEY
from agencies import services
from agencies.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
PASSWORD = "academy-demo"
NEW_PASSWORD = "Correct-Horse-Battery-9"


def signup(client, email, **extra):
    data = {
        "full_name": "Nina New",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }
    return client.post(SIGNUP, data)


def confirmation_link(message):
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


# --- sign-up -------------------------------------------------------------------------------


def confirm(client, message):
    link = confirmation_link(message)
    return client.post(link)


def test_signup_with_agency_domain_gives_membership_only_once_verified(world, client):
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    response = signup(client, "Nina@A.gov")
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="nina@a.gov")
    assert user.full_name == "Nina New"
    assert not Membership.objects.filter(user=user).exists()
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    confirm(client, mail.outbox[0])
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.role) == (world.a, Role.LEARNER)


def test_unverified_signup_has_no_agency_access(world, client):
    signup(client, "nina@a.gov")
    user = User.objects.get(email="nina@a.gov")
    assert not Membership.objects.filter(user=user).exists()
    client.logout()
    # Signing in sends them to the page that asks them to confirm the address first.
    response = client.post(LOGIN, {"login": "nina@a.gov", "password": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("agencies:member_list")).status_code == 302  # to sign-in


def test_invitation_is_used_by_whoever_verifies_the_address(world, client):
    services.invitation_create(
        actor=world.a_admin, agency=world.a, email="guest@a.gov", role=Role.TRAINER, unit=world.ops
    )
    assert signup(client, "guest@a.gov").status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None  # not used by a mere sign-up
    assert not Membership.objects.filter(user__email="guest@a.gov").exists()
    confirm(client, mail.outbox[-1])
    membership = Membership.objects.get(user__email="guest@a.gov")
    assert (membership.agency, membership.role, membership.unit) == (
        world.a,
        Role.TRAINER,
        world.ops,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_signup_with_platform_admins_invitation_of_an_outside_address(world, client):
    services.invitation_create(
        actor=world.platform_admin,
        agency=world.a,
        email="guest@elsewhere.org",
        role=Role.TRAINER,
        unit=world.ops,
    )
    assert signup(client, "guest@elsewhere.org").status_code == 302
    confirm(client, mail.outbox[-1])
    membership = Membership.objects.get(user__email="guest@elsewhere.org")
    assert (membership.agency, membership.role) == (world.a, Role.TRAINER)


def test_without_verification_membership_is_granted_at_signup(world, client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    signup(client, "nina@a.gov")
    assert Membership.objects.get(user__email="nina@a.gov").agency == world.a


def test_signup_with_unknown_domain_shows_clear_message_and_creates_nothing(world, client):
    users_before = User.objects.count()
    response = signup(client, "someone@gmail.com")
    assert response.status_code == 200
    content = response.content.decode()
    assert "participating agencies only" in content
    assert response.context["form"].errors["email"]
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_signup_with_existing_email_creates_no_second_account(world, client):
    users_before = User.objects.count()
    response = signup(client, "LEARNER@a.gov")
    # Enumeration is prevented: the page looks the same, the owner is told by email instead.
    assert response.status_code in (200, 302)
    assert User.objects.count() == users_before
    assert Membership.objects.filter(user=world.a_learner).count() == 1
    assert [m.to for m in mail.outbox] == [["learner@a.gov"]]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body


def test_signup_requires_full_name_and_matching_passwords(world, client):
    response = signup(client, "nina@a.gov", full_name="", password2="something-else-1")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "full_name" in errors and "password2" in errors
    assert not User.objects.filter(email="nina@a.gov").exists()


# --- email verification --------------------------------------------------------------------


def test_verification_link_confirms_and_signs_in(world, client):
    signup(client, "nina@a.gov")
    link = confirmation_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nina@a.gov").verified
    home = client.get(reverse("home"))
    assert home.context["user"].email == "nina@a.gov"
    assert "Agency A" in home.content.decode()


def test_email_verification_is_mandatory_before_sign_in(world, client):
    signup(client, "nina@a.gov")
    client.logout()
    response = client.post(LOGIN, {"login": "nina@a.gov", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_invalid_verification_link_says_so(world, client):
    response = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code == 200
    assert "expired or is invalid" in response.content.decode()


def test_expired_verification_link_is_refused(world, client):
    user = User.objects.create_user(email="late@a.gov", password=NEW_PASSWORD)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    four_days_ago = time.time() - 4 * 24 * 3600
    with mock.patch("time.time", return_value=four_days_ago):
        key = EmailConfirmationHMAC(address).key
    url = reverse("account_confirm_email", args=[key])
    assert "expired or is invalid" in client.get(url).content.decode()
    client.post(url)
    address.refresh_from_db()
    assert not address.verified


# --- sign-in -------------------------------------------------------------------------------


def test_sign_in_with_email_and_password(world, client):
    response = client.post(LOGIN, {"login": "learner@a.gov", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.a_learner.pk
    assert SESSION_STARTED_KEY in client.session


def test_wrong_password_shows_message(world, client):
    response = client.post(LOGIN, {"login": "learner@a.gov", "password": "wrong-password"})
    assert response.status_code == 200
    assert "email address and/or password you specified are not correct" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_login_is_refused_after_too_many_failures(world, client):
    for _ in range(5):
        response = client.post(LOGIN, {"login": "learner@a.gov", "password": "wrong"})
        assert "not correct" in response.content.decode()
    response = client.post(LOGIN, {"login": "learner@a.gov", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "too many" in response.content.decode().lower()


def test_deactivated_member_cannot_sign_in(world, client):
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    response = client.post(LOGIN, {"login": "learner@a.gov", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_deactivated_member_is_signed_out_of_open_session(world, client_for):
    client = client_for(world.a_learner)
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_password_reset_sends_mail(world, client):
    response = client.post(reverse("account_reset_password"), {"email": "learner@a.gov"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["learner@a.gov"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


# --- MFA required by the agency ------------------------------------------------------------


@pytest.fixture
def mfa_agency(world):
    world.a.mfa_required = True
    world.a.save(update_fields=["mfa_required"])
    return world


@pytest.mark.parametrize("url", ["/", "/agency/members/"])
def test_member_of_mfa_agency_is_sent_to_totp_setup_first(mfa_agency, client_for, url):
    response = client_for(mfa_agency.a_admin).get(url)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_mfa_setup_page_itself_is_reachable(mfa_agency, client_for):
    response = client_for(mfa_agency.a_learner).get(reverse("mfa_activate_totp"))
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # allauth may ask to re-authenticate first
        assert response.url.startswith("/accounts/")


def test_member_with_totp_is_not_redirected(mfa_agency, client_for):
    Authenticator.objects.create(
        user=mfa_agency.a_learner, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert client_for(mfa_agency.a_learner).get("/").status_code == 200


def test_member_of_other_agency_is_not_asked_for_mfa(mfa_agency, client_for):
    assert client_for(mfa_agency.b_learner).get("/").status_code == 200


# --- session lifetime ----------------------------------------------------------------------


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_soon_after_the_last_renewal_writes_no_session(world, client_for):
    client = client_for(world.a_learner)
    client.get("/")
    expiry = _expiry(client)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert _expiry(client) == expiry
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_a_request_after_the_touch_interval_renews_the_inactivity_window(world, client_for):
    client = client_for(world.a_learner)
    client.get("/")
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(time.time()) - settings.SESSION_TOUCH_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=60)
    )
    client.get("/")
    assert _expiry(client) > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_inactive_session_signs_the_user_out(world, client_for):
    client = client_for(world.a_learner)
    client.get("/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    cache.clear()  # the cached copy expires with the session (cached_db sets its timeout)
    response = client.get("/agency/members/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert client.get("/").context["user"].is_authenticated is False


def test_session_past_absolute_lifetime_signs_the_user_out(world, client_for):
    client = client_for(world.a_admin)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get("/agency/members/", follow=True)
    assert response.redirect_chain[0] == (reverse(settings.LOGIN_URL), 302)
    assert response.context["user"].is_authenticated is False
    assert "Your session has ended" in response.content.decode()


def test_session_within_absolute_lifetime_stays(world, client_for):
    client = client_for(world.a_admin)
    client.get("/")
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get("/agency/members/").status_code == 200


# --- language ------------------------------------------------------------------------------


def _french_catalogue_translates(text):
    with translation.override("fr"):
        translated = translation.gettext(text)
    return translated if translated != text else None


def test_language_switch_to_french_gives_french_pages(world, client_for):
    client = client_for(world.a_learner)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Passer au contenu principal" in page  # "Skip to main content", in French
    assert "Skip to main content" not in page


def _po_entries(path):
    """(msgctxt, msgid, msgstr) of each singular entry of a .po file (a small reader)."""
    entries, current, field = [], {}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#") or not line.strip():
            if "msgid" in current and "msgid_plural" not in current:
                entries.append(
                    (current.get("msgctxt"), current["msgid"], current.get("msgstr", ""))
                )
            if not line.strip():
                current, field = {}, None
            continue
        key, _, rest = line.partition(" ")
        if key in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            field, current[key] = key, ""
            line = rest
        if field and line.startswith('"'):
            current[field] += (
                line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()
            )
    return [e for e in entries if e[1]]


def test_french_catalogue_translates_every_project_string():
    po = Path(settings.BASE_DIR, "locale", "fr", "LC_MESSAGES", "django.po")
    entries = _po_entries(po)
    assert len(entries) > 500
    untranslated = [msgid for _, msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    # The compiled catalogue (django.mo) is the one in use, and it is up to date with the .po.
    with translation.override("fr"):
        stale = [
            msgid
            for ctx, msgid, msgstr in entries
            if (translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)) != msgstr
        ]
    assert stale == []


def test_anonymous_visitor_can_switch_language(client, db):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/").content.decode()
