from django.urls import path

from . import saml_views, views

app_name = "sso"

urlpatterns = [
    path("agency/sign-in/", views.provider_list, name="provider_list"),
    path("agency/sign-in/new/<str:kind>/", views.provider_edit, name="provider_new"),
    path("agency/sign-in/<uuid:public_id>/", views.provider_edit, name="provider_edit"),
    path("agency/sign-in/<uuid:public_id>/remove/", views.provider_delete, name="provider_delete"),
    path("sso/<uuid:public_id>/start/", views.start, name="start"),
    path("sso/<uuid:public_id>/oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("sso/<uuid:public_id>/jwks.json", views.jwks, name="jwks"),
    path("sso/signed-out/", views.signed_out, name="signed_out"),
    path("agency/sign-in/<uuid:public_id>/certificate.pem", views.certificate, name="certificate"),
    path("sso/<uuid:public_id>/saml/metadata/", saml_views.metadata, name="saml_metadata"),
    path("sso/<uuid:public_id>/saml/acs/", saml_views.acs, name="saml_acs"),
    path("sso/<uuid:public_id>/saml/logout/", saml_views.logout, name="saml_logout"),
    path("sso/<uuid:public_id>/saml/sls/", saml_views.sls, name="saml_sls"),
    path(
        "agency/sign-in/<uuid:public_id>/saml-metadata.xml",
        saml_views.metadata_download,
        name="saml_metadata_download",
    ),
]
