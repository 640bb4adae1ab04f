from django.urls import path

from . import views, views_review

app_name = "practice"

urlpatterns = [
    path("courses/<slug:slug>/tasks/<slug:key>/", views.step, name="step"),
    path("courses/<slug:slug>/tasks/<slug:key>/files/", views.file_add, name="file_add"),
    path(
        "courses/<slug:slug>/tasks/<slug:key>/files/<int:file_id>/delete/",
        views.file_delete,
        name="file_delete",
    ),
    path(
        "submissions/<int:submission_id>/files/<int:file_id>/",
        views.file_download,
        name="file",
    ),
    path("reviews/", views_review.queue, name="queue"),
    path("reviews/<int:submission_id>/", views_review.review, name="review"),
    path("reviews/<int:submission_id>/claim/", views_review.claim, name="claim"),
    path("reviewers/", views_review.reviewers, name="reviewers"),
    path("reviewers/<int:course_id>/", views_review.course_reviewers, name="course_reviewers"),
]
