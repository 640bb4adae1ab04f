from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("platform/", views.platform_client_list, name="platform_client_list"),
    path("<int:client_id>/revoke/", views.client_revoke, name="client_revoke"),
]
