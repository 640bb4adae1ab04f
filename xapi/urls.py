from django.urls import path

from . import views

app_name = "xapi"

urlpatterns = [
    path("", views.lrs_settings, name="settings"),
    path("resend/", views.resend_failed, name="resend_failed"),
]
