"""The REST API (/api/v1/): thin views that parse input, call api.selectors or api.services
(which call the other apps' services), and serialize. Authentication, scopes, the rate limit
and the problem-details errors are set for every view in settings.REST_FRAMEWORK."""

import copy
import hashlib
import json

from django.http import HttpResponse
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from academy.files import private_file_response
from agencies.models import Membership, Unit
from agencies.permissions import client_ip
from courses.models import Course, LearningPath
from learning.models import Certificate, Enrollment, LearningEvent
from learning.selectors import certificate_verification
from reminders.models import Assignment
from reports.models import ReportRun
from reports.services.runs import CONTENT_TYPES, report_file

from . import read_ahead, selectors, services
from .pagination import KeysetPagination
from .renderers import FastJSONRenderer
from .serializers import (
    AssignmentCreateSerializer,
    AssignmentPreviewSerializer,
    AssignmentSerializer,
    CertificateFilterSerializer,
    CertificateSerializer,
    CertificateVerificationSerializer,
    CourseSerializer,
    EnrollmentFilterSerializer,
    EnrollmentSerializer,
    HistoryImportResultSerializer,
    HistoryImportSerializer,
    LearningEventFilterSerializer,
    LearningEventSerializer,
    PathSerializer,
    PersonFilterSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    ReportRunRequestSerializer,
    ReportRunSerializer,
    UnitSerializer,
    enrollment_rows,
    learning_event_rows,
)

PEOPLE_READ, PEOPLE_WRITE, LEARNING_READ = "people:read", "people:write", "learning:read"
ASSIGNMENTS_WRITE, REPORTS_READ = "assignments:write", "reports:read"
LEARNING_WRITE = "learning:write"


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) of up to 200 characters: a retry with the same key gets "
        "the first response again and changes nothing."
    ),
)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was used with another request."
    default_code = "idempotency_key_reused"


def _idempotent(request, run) -> Response:
    """Run a POST once per `Idempotency-Key` of the client: a retry with the same key and the
    same request replays the stored response (`Idempotent-Replayed: true`); the same key with
    another request is refused (422). Without the header, just run it. A request that fails
    stores nothing, so a corrected retry may reuse its key."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return run()
    if len(key) > 200:
        raise exceptions.ValidationError({"Idempotency-Key": ["Use at most 200 characters."]})
    body = json.dumps(request.data, sort_keys=True, default=str)
    fingerprint = hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()
    stored = services.idempotent_response(client=request.api_client, key=key)
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return Response(stored.body, status=stored.status, headers={"Idempotent-Replayed": "true"})
    response = run()
    services.idempotent_store(
        client=request.api_client,
        key=key,
        fingerprint=fingerprint,
        status=response.status_code,
        body=response.data,
    )
    return response


class ClientRows:
    """`get_queryset` of the API's viewsets: the rows `selector` reads for the request's
    client; on a list, narrowed by the query parameters `filter_serializer` validates (passed
    to the selector as keywords), and only settled rows where the view is a sync feed
    (`settles`). One place, so every viewset is scoped the same way."""

    model = None
    selector = None
    filter_serializer = None
    settles = False
    pagination_class = KeysetPagination
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        filters = {}
        if self.action == "list":
            if self.filter_serializer is not None:
                serializer = self.filter_serializer(data=self.request.query_params)
                serializer.is_valid(raise_exception=True)
                filters = dict(serializer.validated_data)
            if self.settles:
                filters["settled"] = True
        return type(self).selector(client=self.request.api_client, **filters)


# A cursor feed an integrator pages through to the end (up to a million rows): its pages are
# read as tuples of `feed_columns`, made into the serializer's representation by `rows`, and
# written by orjson (FastJSONRenderer, the same JSON as DRF's), up to API_SYNC_PAGE_SIZE_MAX
# rows; only settled rows are served. docs/performance.md says what each step saves. (No
# docstring: drf-spectacular would show it in the schema, where ClientRows's is shown today.)
class SyncFeed(ClientRows):
    settles = True
    renderer_classes = [FastJSONRenderer]
    max_page_size_setting = "API_SYNC_PAGE_SIZE_MAX"
    feed_columns = ()

    def rows(self, page) -> list[dict]:
        raise NotImplementedError

    def feed(self, queryset):
        """The rows of `queryset` as tuples of `feed_columns`."""
        return queryset.values_list(*self.feed_columns)

    def list(self, request, *args, **kwargs):
        if read_ahead.enabled() and self.paginator.cursor_query_param in request.query_params:
            # A sync under way: its page may have been read ahead (api.read_ahead).
            found = read_ahead.take(read_ahead.page_key(request))
            if found is not None:
                body, next_params = found
                self._read_ahead(next_params)
                return HttpResponse(body, content_type=self._content_type())
        page = self.paginate_queryset(self.feed(self.get_queryset()))
        response = self.get_paginated_response(self.rows(page))
        if read_ahead.enabled() and self.paginator.has_next:
            self._read_ahead(self._next_params())
        return response

    def _content_type(self) -> str:
        renderer = self.request.accepted_renderer
        if renderer.charset is None:
            return renderer.media_type
        return f"{renderer.media_type}; charset={renderer.charset}"

    def _next_params(self):
        params = self.request.query_params.copy()
        params[self.paginator.cursor_query_param] = self.paginator.next_cursor
        return params

    def _read_ahead(self, params) -> None:
        """Read the page `params` ask for in the background, and the one after it, as this
        view would for a request like this one with those parameters (api.read_ahead)."""
        if params is not None:
            read_ahead.ahead(*self._page_reader(params), self._page_reader)

    def _page_reader(self, params):
        """(the cache key, the reading) of the page `params` ask for (api.read_ahead.ahead)."""
        request = copy.copy(self.request)
        request._request = copy.copy(self.request._request)
        request._request.GET = params
        view = copy.copy(self)
        view.request = request
        view.__dict__.pop("_paginator", None)

        def read(on_rows):
            with translation.override(getattr(request, "LANGUAGE_CODE", None)):
                page = view.paginate_queryset(view.feed(view.get_queryset()))
                next_params = view._next_params() if view.paginator.has_next else None
                on_rows(next_params)
                data = view.get_paginated_response(view.rows(page)).data
                body = request.accepted_renderer.render(
                    data, request.accepted_media_type, {"request": request, "view": view}
                )
            return body, next_params

        return read_ahead.page_key(request), read


@extend_schema_view(
    list=extend_schema(summary="List people", parameters=[PersonFilterSerializer], tags=["people"]),
    retrieve=extend_schema(summary="One person", tags=["people"]),
    create=extend_schema(
        summary="Create a person",
        parameters=[IDEMPOTENCY_KEY],
        request=PersonSerializer,
        responses={201: PersonSerializer},
        tags=["people"],
    ),
    partial_update=extend_schema(
        summary="Change a person",
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
        tags=["people"],
    ),
    deactivate=extend_schema(
        summary="Deactivate a person",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses=PersonSerializer,
        tags=["people"],
    ),
)
class PersonViewSet(
    ClientRows, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The agency's people; `id` is the person's (user) id."""

    serializer_class = PersonSerializer
    keyset_ordering = ("user_id",)
    read_scopes, write_scopes = (PEOPLE_READ,), (PEOPLE_WRITE,)
    lookup_field = "user_id"
    lookup_url_kwarg = "id"

    model = Membership
    selector = selectors.people
    filter_serializer = PersonFilterSerializer

    def create(self, request):
        return _idempotent(request, lambda: self._create(request))

    def _create(self, request):
        serializer = PersonSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.person_create(
            client=request.api_client,
            email=data["user"]["email"],
            full_name=data.get("user", {}).get("full_name", ""),
            unit=data.get("unit"),
            role=data.get("role", "learner"),
            active=data.get("is_active", True),
            ip=client_ip(request),
        )
        return Response(PersonSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        membership = self.get_object()
        serializer = PersonUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = data.get("user", {})
        changes = {}
        if "unit" in data:
            changes["unit"] = data["unit"]
        services.person_update(
            client=request.api_client,
            membership=membership,
            email=user.get("email"),
            full_name=user.get("full_name"),
            role=data.get("role"),
            active=data.get("is_active"),
            ip=client_ip(request),
            **changes,
        )
        return Response(PersonSerializer(self.get_object()).data)

    @action(detail=True, methods=["post"])
    def deactivate(self, request, id=None):
        def run():
            membership = self.get_object()
            services.person_update(
                client=request.api_client,
                membership=membership,
                active=False,
                ip=client_ip(request),
            )
            return Response(PersonSerializer(self.get_object()).data)

        return _idempotent(request, run)


@extend_schema_view(
    list=extend_schema(summary="The unit tree, in tree order", tags=["units"]),
    retrieve=extend_schema(summary="One unit", tags=["units"]),
)
class UnitViewSet(ClientRows, viewsets.ReadOnlyModelViewSet):
    """The agency's units: each with its parent's id and its depth, listed in tree order
    (a parent before its children)."""

    serializer_class = UnitSerializer
    pagination_class = None
    read_scopes = (PEOPLE_READ, LEARNING_READ)

    model = Unit
    selector = selectors.units


@extend_schema_view(
    list=extend_schema(
        summary="List enrollments and completions",
        description=(
            "Ordered by (`updated_at`, `id`). Keep the last page's `cursor` and come back with "
            "it: you get exactly the enrollments that changed since, none skipped or repeated."
        ),
        parameters=[EnrollmentFilterSerializer],
        tags=["enrollments"],
    ),
    retrieve=extend_schema(summary="One enrollment", tags=["enrollments"]),
)
class EnrollmentViewSet(SyncFeed, viewsets.ReadOnlyModelViewSet):
    serializer_class = EnrollmentSerializer
    keyset_ordering = ("updated_at", "id")
    read_scopes = (LEARNING_READ,)

    model = Enrollment
    selector = selectors.enrollments
    filter_serializer = EnrollmentFilterSerializer
    feed_columns = selectors.ENROLLMENT_FEED_COLUMNS
    # Integers, text, times, a date and a boolean: read alike in binary (api.pagination).
    binary_rows = True

    def feed(self, queryset):
        return selectors.enrollment_feed(queryset)

    def rows(self, page):
        at = self.feed_columns.index("course_id")
        courses = selectors.course_refs(row[at] for row in page) if page else {}
        return enrollment_rows(page, courses)


@extend_schema_view(
    list=extend_schema(summary="Courses the agency can see", tags=["courses"]),
    retrieve=extend_schema(summary="One course", tags=["courses"]),
)
class CourseViewSet(ClientRows, viewsets.ReadOnlyModelViewSet):
    """Published courses the agency sees: its own and those shared with it. Ordered by id."""

    serializer_class = CourseSerializer
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)

    model = Course
    selector = selectors.courses


@extend_schema_view(
    list=extend_schema(
        summary="Certificates earned in the agency",
        parameters=[CertificateFilterSerializer],
        tags=["certificates"],
    ),
    retrieve=extend_schema(summary="One certificate", tags=["certificates"]),
)
class CertificateViewSet(ClientRows, viewsets.ReadOnlyModelViewSet):
    """Certificates earned in the agency, revoked ones included (`valid` false). Ordered by
    id (certificates are issued, and only ever revoked)."""

    serializer_class = CertificateSerializer
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)

    model = Certificate
    selector = selectors.certificates
    filter_serializer = CertificateFilterSerializer


@extend_schema_view(
    list=extend_schema(summary="Learning paths the agency can see", tags=["paths"]),
    retrieve=extend_schema(summary="One learning path", tags=["paths"]),
)
class PathViewSet(ClientRows, viewsets.ReadOnlyModelViewSet):
    """Published learning paths the agency sees (its own and the shared ones), each with its
    courses in order. Ordered by id."""

    serializer_class = PathSerializer
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)

    model = LearningPath
    selector = selectors.paths


@extend_schema_view(
    list=extend_schema(
        summary="Assignments of the agency",
        description="Removed ones included (`removed_at` set). Ordered by id.",
        tags=["assignments"],
    ),
    retrieve=extend_schema(summary="One assignment", tags=["assignments"]),
    create=extend_schema(
        summary="Assign a course or path",
        description=(
            "To the whole agency (`target` `agency`), a unit and the units below it (`unit`) "
            "or chosen people (`people`), with a due date or a number of days after each "
            "person is assigned. People are enrolled in the background (`status`, "
            "`people_done`). Refused like on the site: a due date before the agency's today, "
            "a course or path the agency cannot use, incoherent dates or recurrence."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer},
        tags=["assignments"],
    ),
    preview=extend_schema(
        summary="What an assignment would do",
        description="The same checks as creating it; writes nothing.",
        parameters=[IDEMPOTENCY_KEY],
        request=AssignmentCreateSerializer,
        responses={200: AssignmentPreviewSerializer},
        tags=["assignments"],
    ),
    destroy=extend_schema(
        summary="Remove an assignment",
        description=(
            "Its reminders stop; enrollments and completions stay. Removing one already "
            "removed changes nothing."
        ),
        tags=["assignments"],
    ),
)
class AssignmentViewSet(
    ClientRows,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Training assigned in the agency, through reminders' services (audit, checks,
    reminders and background enrollment as on the site)."""

    serializer_class = AssignmentSerializer
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ, ASSIGNMENTS_WRITE)
    write_scopes = (ASSIGNMENTS_WRITE,)

    model = Assignment
    selector = selectors.assignments

    def _terms(self, request) -> dict:
        serializer = AssignmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.terms()

    def create(self, request):
        def run():
            assignment = services.assignment_create(
                client=request.api_client, ip=client_ip(request), **self._terms(request)
            )
            row = self.get_queryset().get(pk=assignment.pk)
            return Response(AssignmentSerializer(row).data, status=status.HTTP_201_CREATED)

        return _idempotent(request, run)

    @action(detail=False, methods=["post"])
    def preview(self, request):
        def run():
            result = services.assignment_preview(client=request.api_client, **self._terms(request))
            body = {
                "people": result["people"],
                "courses": [
                    {"course": row["course"].pk, **{k: row[k] for k in ("completed", "enrolled")}}
                    for row in result["courses"]
                ],
                "due_on": result["due_on"],
                "required": result["required"],
                "reminders": [{"text": line.text, "on": line.on} for line in result["reminders"]],
            }
            return Response(AssignmentPreviewSerializer(body).data)

        return _idempotent(request, run)

    def destroy(self, request, pk=None):
        services.assignment_remove(
            client=request.api_client, assignment=self.get_object(), ip=client_ip(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


REPORT_FILE_TYPES = ("text/csv", "application/pdf", CONTENT_TYPES["xlsx"])


@extend_schema_view(
    list=extend_schema(
        summary="Report runs of the agency",
        description="Newest last (ordered by id); whoever asked for them.",
        tags=["reports"],
    ),
    retrieve=extend_schema(
        summary="One report run (poll it until `status` is `done` or `failed`)",
        tags=["reports"],
    ),
    create=extend_schema(
        summary="Request a report",
        description=(
            "Queued at once and produced in the background, like a report asked for on the "
            "site: poll `GET /report-runs/{id}/` until `status` is `done`, then follow "
            "`download`."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=ReportRunRequestSerializer,
        responses={201: ReportRunSerializer},
        tags=["reports"],
    ),
    download=extend_schema(
        summary="Download a finished report",
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in REPORT_FILE_TYPES},
            (302, "text/html"): None,
        },
        tags=["reports"],
    ),
)
class ReportRunViewSet(
    ClientRows,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reports of the agency (completion, overdue, adoption; CSV, XLSX or a PDF summary),
    through reports' services and the site's access check."""

    serializer_class = ReportRunSerializer
    keyset_ordering = ("id",)
    read_scopes = write_scopes = (REPORTS_READ,)

    model = ReportRun
    selector = selectors.report_runs

    def create(self, request):
        def run():
            serializer = ReportRunRequestSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            made = services.report_run_request(
                client=request.api_client, **serializer.validated_data
            )
            row = self.get_queryset().get(pk=made.pk)
            return Response(
                ReportRunSerializer(row, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )

        return _idempotent(request, run)

    def perform_content_negotiation(self, request, force=False):
        # The download is a file, whatever the Accept header asks for (its errors stay JSON).
        return super().perform_content_negotiation(
            request, force=force or self.action == "download"
        )

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        stored = report_file(run=self.get_object())
        if stored is None:
            raise exceptions.NotFound("This report is not ready, or it failed.")
        name, filename, content_type = stored
        return private_file_response(name, filename, content_type)


@extend_schema_view(
    list=extend_schema(
        summary="The learning events feed",
        description=(
            "Every learning step in the agency (enrolled, lesson completed, quiz attempt "
            "started and submitted, course completed, certificate issued or revoked, "
            "reopened), oldest first, ordered by (`created_at`, `id`). Keep the last page's "
            "`cursor` and come back with it: you get exactly the events recorded since, none "
            "skipped or repeated. An event shows once it is API_SYNC_SETTLE_SECONDS old."
        ),
        parameters=[LearningEventFilterSerializer],
        tags=["learning events"],
    ),
    retrieve=extend_schema(summary="One learning event", tags=["learning events"]),
)
class LearningEventViewSet(SyncFeed, viewsets.ReadOnlyModelViewSet):
    serializer_class = LearningEventSerializer
    keyset_ordering = ("created_at", "id")
    read_scopes = (LEARNING_READ,)

    model = LearningEvent
    selector = selectors.learning_events
    filter_serializer = LearningEventFilterSerializer
    feed_columns = selectors.LEARNING_EVENT_FEED_COLUMNS

    def rows(self, page):
        return learning_event_rows(page)


class PublicVerificationThrottle(AnonRateThrottle):
    """The public check is counted per address (it has no client), in the shared cache."""

    scope = "api_public"
    rate = "120/min"


class CertificateVerificationView(APIView):
    """Public: anyone holding a certificate's code may check it, with no token. The same facts
    as the site's verification page (`/verify/<code>/`, `learning.selectors.
    certificate_verification`), nothing more."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicVerificationThrottle]

    @extend_schema(
        summary="Verify a certificate (public, no token)",
        description=(
            "The certificate's code is printed on it, with the link to the site's "
            "verification page. `valid` is false once it is revoked."
        ),
        responses=CertificateVerificationSerializer,
        tags=["certificates"],
        auth=[],
    )
    def get(self, request, code):
        certificate = certificate_verification(code)
        if certificate is None:
            raise exceptions.NotFound()
        revoked = certificate.revoked_at
        body = {
            "code": certificate.code,
            "valid": revoked is None,
            "learner_name": certificate.learner_name,
            "course_title": certificate.course_title,
            "agency_name": certificate.agency_name,
            "issued_on": timezone.localdate(certificate.issued_at),
            "revoked_on": timezone.localdate(revoked) if revoked else None,
        }
        return Response(CertificateVerificationSerializer(body).data)


class HistoryImportView(APIView):
    """Past completions from the agency's former training system, all or nothing."""

    write_scopes = (LEARNING_WRITE,)

    @extend_schema(
        summary="Import past completions",
        description=(
            "Each person (by address) gets the course (by slug) completed on the date, marked "
            "imported (no certificate), so they are not asked to take it again; a course they "
            "already completed in Academy is left alone. The whole list is checked first: any "
            "line at fault (unknown person or course, a future date, a score outside 0-100, "
            "a person and course twice) refuses it all, with every line listed."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=HistoryImportSerializer,
        responses={200: HistoryImportResultSerializer},
        tags=["enrollments"],
    )
    def post(self, request):
        def run():
            serializer = HistoryImportSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            if request.api_client.is_platform:
                raise exceptions.PermissionDenied("A platform client changes nothing.")
            result = services.history_import(
                client=request.api_client, ip=client_ip(request), **serializer.validated_data
            )
            return Response(HistoryImportResultSerializer(result).data)

        return _idempotent(request, run)
