from django.urls import path

from . import views

app_name = "ehri"

urlpatterns = [
    path("", views.feed_page, name="feed"),
    path("settings/", views.settings_save, name="settings"),
    path("request/", views.feed_request, name="request"),
    path("exports/<int:export_id>/<str:part>/", views.export_download, name="download"),
    path("courses/", views.courses, name="courses"),
    path("courses/<int:course_id>/", views.coding, name="coding"),
    path("employee-ids/", views.employee_ids, name="employee_ids"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:session_id>/", views.session_coding, name="session_coding"),
]
