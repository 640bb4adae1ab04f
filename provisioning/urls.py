from django.urls import path

from . import views

app_name = "provisioning"

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
