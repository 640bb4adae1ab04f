from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<int:assignment_id>/remove/", views.assignment_remove, name="assignment_remove"
    ),
    path("assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"),
    path(
        "assignments/<int:assignment_id>/people/<int:assignee_id>/",
        views.assignee_exception,
        name="assignee_exception",
    ),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/nudge/", views.nudge_overdue, name="nudge_overdue"),
    path("nudge/<int:assignee_id>/", views.nudge, name="nudge"),
    path("policy/", views.policy_edit, name="policy"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("preferences/", views.preferences, name="preferences"),
]
