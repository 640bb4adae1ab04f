from django.urls import path

from . import (
    views,
    views_lesson,
    views_live_steps,
    views_outline,
    views_practice,
    views_preview,
    views_quiz,
    views_visibility,
)

app_name = "studio"

C = "courses/<int:course_id>/"

urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/import/", views.course_import, name="course_import"),
    path("sharing-requests/", views_visibility.visibility_requests, name="visibility_requests"),
    path(
        "sharing-requests/<int:request_id>/",
        views_visibility.visibility_request_decide,
        name="visibility_request_decide",
    ),
    path(C, views_outline.outline, name="outline"),
    path(C + "settings/", views.course_edit, name="course_edit"),
    path(C + "publish/", views.course_publish, name="course_publish"),
    path(C + "archive/", views.course_archive, name="course_archive"),
    path(C + "unarchive/", views.course_unarchive, name="course_unarchive"),
    path(C + "export/", views.course_export, name="course_export"),
    path(C + "versions/", views.version_list, name="version_list"),
    path(C + "versions/diff/", views.version_diff, name="version_diff"),
    path(C + "versions/<int:number>/restore/", views.version_restore, name="version_restore"),
    path(C + "preview/", views_preview.course_preview, name="course_preview"),
    path(C + "answer-key/", views_preview.answer_key, name="answer_key"),
    path(C + "modules/add/", views_outline.module_add, name="module_add"),
    path(C + "modules/<int:module_id>/rename/", views_outline.module_rename, name="module_rename"),
    path(C + "modules/<int:module_id>/move/", views_outline.module_move, name="module_move"),
    path(C + "modules/<int:module_id>/delete/", views_outline.module_delete, name="module_delete"),
    path(C + "modules/<int:module_id>/lessons/add/", views_outline.lesson_add, name="lesson_add"),
    path(
        C + "modules/<int:module_id>/live-steps/add/",
        views_live_steps.live_step_add,
        name="live_step_add",
    ),
    path(C + "live-steps/<int:step_id>/", views_live_steps.live_step_edit, name="live_step_edit"),
    path(
        C + "live-steps/<int:step_id>/move/",
        views_live_steps.live_step_move,
        name="live_step_move",
    ),
    path(
        C + "live-steps/<int:step_id>/delete/",
        views_live_steps.live_step_delete,
        name="live_step_delete",
    ),
    path(C + "lessons/<int:lesson_id>/", views_lesson.lesson_edit, name="lesson_edit"),
    path(
        C + "lessons/<int:lesson_id>/autosave/",
        views_lesson.lesson_autosave,
        name="lesson_autosave",
    ),
    path(C + "lessons/<int:lesson_id>/move/", views_outline.lesson_move, name="lesson_move"),
    path(C + "lessons/<int:lesson_id>/delete/", views_outline.lesson_delete, name="lesson_delete"),
    path(
        C + "lessons/<int:lesson_id>/attachments/",
        views_lesson.attachment_add,
        name="attachment_add",
    ),
    path(
        C + "attachments/<int:attachment_id>/delete/",
        views_lesson.attachment_delete,
        name="attachment_delete",
    ),
    path(
        C + "files/<str:sha256>/<str:name>",
        views_preview.attachment_file,
        name="attachment_file",
    ),
    path(C + "markdown-preview/", views_lesson.markdown_preview, name="markdown_preview"),
    path(
        C + "modules/<int:module_id>/practice/add/",
        views_practice.practice_add,
        name="practice_add",
    ),
    path(C + "practice/<int:task_id>/", views_practice.practice_edit, name="practice_edit"),
    path(
        C + "practice/<int:task_id>/delete/",
        views_practice.practice_delete,
        name="practice_delete",
    ),
    path(C + "quizzes/add/", views_quiz.quiz_add, name="quiz_add"),
    path(C + "quizzes/<int:quiz_id>/", views_quiz.quiz_edit, name="quiz_edit"),
    path(C + "quizzes/<int:quiz_id>/delete/", views_quiz.quiz_delete, name="quiz_delete"),
    path(C + "quizzes/<int:quiz_id>/questions/add/", views_quiz.question_add, name="question_add"),
    path(C + "questions/<int:question_id>/", views_quiz.question_edit, name="question_edit"),
    path(
        C + "questions/<int:question_id>/delete/",
        views_quiz.question_delete,
        name="question_delete",
    ),
]
