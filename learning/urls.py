from django.urls import path

from . import views, views_history, views_record

app_name = "learning"

urlpatterns = [
    path("learn/", views.my_learning, name="my_learning"),
    path("learn/certificates/", views.certificate_list, name="certificate_list"),
    path("learn/certificates/<str:code>/", views.certificate_detail, name="certificate"),
    path("learn/certificates/<str:code>/pdf/", views.certificate_download, name="certificate_pdf"),
    path(
        "learn/certificates/<str:code>/revoke/", views.certificate_revoke, name="certificate_revoke"
    ),
    path("agency/history-import/", views_history.history_import, name="history_import"),
    path("learn/record/", views_record.record, name="record"),
    path("learn/record/csv/", views_record.record_download_csv, name="record_csv"),
    path("learn/record/pdf/", views_record.record_download_pdf, name="record_pdf"),
    path("learn/attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("learn/attempts/<int:attempt_id>/draft/", views.attempt_draft, name="attempt_draft"),
    path("learn/attempts/<int:attempt_id>/review/", views.attempt_review, name="attempt_review"),
    path("learn/attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("learn/attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"),
    path("learn/<slug:slug>/", views.course_home, name="course"),
    path("learn/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("learn/<slug:slug>/continue/", views.resume, name="resume"),
    path("learn/<slug:slug>/lessons/<slug:key>/", views.lesson, name="lesson"),
    path("learn/<slug:slug>/lessons/<slug:key>/done/", views.lesson_done, name="lesson_done"),
    path("learn/<slug:slug>/files/<str:sha256>/<str:name>", views.lesson_file, name="lesson_file"),
    path("learn/<slug:slug>/quizzes/<slug:key>/", views.quiz, name="quiz"),
    path("learn/<slug:slug>/quizzes/<slug:key>/start/", views.quiz_start, name="quiz_start"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
