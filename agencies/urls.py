from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path(
        "members/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("members/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("members/<int:membership_id>/active/", views.member_set_active, name="member_set_active"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:unit_id>/", views.unit_edit, name="unit_edit"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_export, name="audit_log_export"),
    path("settings/", views.agency_settings, name="agency_settings"),
    path("all/", views.agency_list, name="agency_list"),
    path("domains/", views.domain_requests, name="domain_requests"),
    path("domains/<int:domain_id>/", views.domain_decide, name="domain_decide"),
]
