from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.read, name="read"),
    path("manage/", views.manage, name="manage"),
    path("manage/versions/<int:number>/", views.version_detail, name="version"),
    path("acknowledgements/", views.status, name="status"),
    path("acknowledgements.csv", views.status_csv, name="status_csv"),
]
