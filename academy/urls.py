from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from sso.views import EmailFirstLoginView

from . import pages, views

handler403 = "academy.views.error_403"
handler404 = "academy.views.error_404"
handler500 = "academy.views.error_500"

# The Django admin signs people in through allauth (MFA, rate limits), never with its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("help/", pages.help_page, name="help"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("session/keep-alive/", views.session_keepalive, name="session_keepalive"),
    # The sign-in page asks for the email first (agency sign-in, sso/), then allauth's form.
    path("accounts/login/", EmailFirstLoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("sso.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("agency/provisioning/", include("provisioning.urls")),
    path("agency/xapi/", include("xapi.urls")),
    path("agency/ehri/", include("ehri.urls")),
    path("agency/", include("agencies.urls")),
    # SCIM 2.0 for agencies' identity providers (bearer tokens, no session).
    path("scim/v2/", include("provisioning.scim_urls")),
    path("agency/api-clients/", include("api.urls")),
    # The REST API for integrators (OAuth 2.0 client credentials, no session).
    path("api/v1/", include("api.api_urls")),
    path("courses/", include("courses.urls")),
    path("", include("credentials.urls")),
    path("", include("learning.urls")),
    path("studio/live/", include("live.studio_urls")),
    path("studio/", include("courses.studio.urls")),
    path("live/", include("live.urls")),
    path("practice/", include("practice.urls")),
    path("reminders/", include("reminders.urls")),
    path("reports/", include("reports.urls")),
    path("ai-policy/", include("policies.urls")),
    path("django-admin/", admin.site.urls),
]

# No pattern serves MEDIA_ROOT, in any mode: uploaded files are private and reach users only
# through views that check access (academy/files.py).
