from django.urls import path

from . import views_studio

app_name = "live_studio"

urlpatterns = [
    path("", views_studio.session_list, name="list"),
    path("new/", views_studio.session_create, name="create"),
    path("<int:session_id>/edit/", views_studio.session_edit, name="edit"),
    path("<int:session_id>/roster/", views_studio.roster, name="roster"),
    path("<int:session_id>/attendance-csv/", views_studio.attendance_csv, name="attendance_csv"),
    path("<int:session_id>/followup/", views_studio.followup, name="followup"),
]
