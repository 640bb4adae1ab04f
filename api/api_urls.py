from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView
from rest_framework.routers import SimpleRouter

from . import api_views

app_name = "api_v1"

router = SimpleRouter()
router.register("people", api_views.PersonViewSet, basename="person")
router.register("units", api_views.UnitViewSet, basename="unit")
router.register("enrollments", api_views.EnrollmentViewSet, basename="enrollment")
router.register("courses", api_views.CourseViewSet, basename="course")
router.register("paths", api_views.PathViewSet, basename="path")
router.register("assignments", api_views.AssignmentViewSet, basename="assignment")
router.register("report-runs", api_views.ReportRunViewSet, basename="report-run")
router.register("learning-events", api_views.LearningEventViewSet, basename="learning-event")
router.register("certificates", api_views.CertificateViewSet, basename="certificate")

urlpatterns = [
    path("oauth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_v1:schema"), name="docs"),
    path(
        "certificates/verify/<str:code>/",
        api_views.CertificateVerificationView.as_view(),
        name="certificate-verify",
    ),
    path(
        "completions/import/",
        api_views.HistoryImportView.as_view(),
        name="history-import",
    ),
    path("", include(router.urls)),
]
