from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path(".well-known/did.json", views.did_json, name="did"),
    path(".well-known/jwks.json", views.jwks_json, name="jwks"),
    path("credentials/issuer/", views.issuer, name="issuer"),
    path("credentials/status/<slug:name>/", views.status_list, name="status_list"),
    path("credentials/check/", views.verify, name="verify"),
    path("credentials/keys/", views.keys, name="keys"),
    path("credentials/settings/", views.agency_settings, name="agency_settings"),
    path("credentials/keys/rotate/", views.key_rotate, name="key_rotate"),
    path(
        "learn/certificates/<str:code>/credential.json",
        views.credential_json,
        name="credential_json",
    ),
    path(
        "learn/certificates/<str:code>/credential.jwt", views.credential_jwt, name="credential_jwt"
    ),
]
