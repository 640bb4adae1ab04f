from django.urls import path

from . import views, views_person

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overdue/", views.overdue, name="overdue"),
    path("people/<int:user_id>/", views_person.person, name="person"),
    path("platform/", views.platform, name="platform"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("runs/<int:run_id>/summary/", views.run_summary, name="run_summary"),
    path("runs/<int:run_id>/download/", views.run_download, name="run_download"),
    path("schedules/<int:schedule_id>/delete/", views.schedule_delete, name="schedule_delete"),
]
