"""/scim/v2/: the SCIM endpoints (provisioning/api.py)."""

from django.urls import path

from . import api

app_name = "scim"

e = api.scim_endpoint

urlpatterns = [
    path("", e(get=api.not_found), name="root"),
    path("Users", e(get=api.users_list, post=api.users_create), name="users"),
    path(
        "Users/<str:resource_id>",
        e(get=api.user_get, put=api.user_replace, patch=api.user_patch, delete=api.user_delete),
        name="user",
    ),
    path("Groups", e(get=api.groups_list, post=api.groups_not_created), name="groups"),
    path(
        "Groups/<str:resource_id>",
        e(
            get=api.group_get,
            patch=api.group_patch,
            put=api.groups_not_created,
            delete=api.groups_not_created,
        ),
        name="group",
    ),
    path(
        "ServiceProviderConfig",
        e(get=api.service_provider_config),
        name="service_provider_config",
    ),
    path("ResourceTypes", e(get=api.resource_types), name="resource_types"),
    path("ResourceTypes/<str:resource_id>", e(get=api.resource_type), name="resource_type"),
    path("Schemas", e(get=api.schemas), name="schemas"),
    path("Schemas/<str:resource_id>", e(get=api.schema), name="schema"),
]
