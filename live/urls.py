from django.urls import path

from . import views, views_assign, views_sharing, views_step

app_name = "live"

urlpatterns = [
    path("", views.upcoming, name="upcoming"),
    path("<int:session_id>/", views.detail, name="detail"),
    path("<int:session_id>/register/", views.register, name="register"),
    path("<int:session_id>/check-in/", views.checkin, name="checkin"),
    path("<int:session_id>/register-person/", views.register_person, name="register_person"),
    path("<int:session_id>/assign/", views_assign.assign, name="assign"),
    path(
        "<int:session_id>/assignments/<int:assignment_id>/delete/",
        views_assign.assignment_delete,
        name="assignment_delete",
    ),
    path("registrations/<int:registration_id>/cancel/", views.cancel, name="cancel"),
    path("by-unit/", views.by_unit, name="by_unit"),
    path("sharing-requests/", views_sharing.sharing_requests, name="sharing_requests"),
    path(
        "sharing-requests/<int:session_id>/",
        views_sharing.sharing_decide,
        name="sharing_decide",
    ),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("courses/<slug:slug>/steps/<slug:key>/", views_step.course_step, name="course_step"),
]
