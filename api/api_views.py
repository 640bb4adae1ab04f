"""The REST API (/api/v1/): thin views that parse input, call api.selectors or api.services
(which call the other apps' services), and serialize. Authentication, scopes, the rate limit
and the problem-details errors are set for every view in settings.REST_FRAMEWORK."""

import datetime
import hashlib
import json

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.models import Membership, Unit
from agencies.permissions import client_ip
from courses.models import Course, LearningPath
from learning.models import Certificate, Enrollment

from . import selectors, services
from .pagination import KeysetPagination
from .serializers import (
    CertificateFilterSerializer,
    CertificateSerializer,
    CourseSerializer,
    EnrollmentFilterSerializer,
    EnrollmentSerializer,
    PathSerializer,
    PersonFilterSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    UnitSerializer,
)

PEOPLE_READ, PEOPLE_WRITE, LEARNING_READ = "people:read", "people:write", "learning:read"


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


def _filters(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _subtree_q(request, unit_id, field="unit__path") -> Q:
    unit = selectors.units(client=request.api_client).filter(pk=unit_id).first()
    if unit is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": unit.path})


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
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The agency's people; `id` is the person's (user) id."""

    serializer_class = PersonSerializer
    pagination_class = KeysetPagination
    keyset_ordering = ("user_id",)
    read_scopes, write_scopes = (PEOPLE_READ,), (PEOPLE_WRITE,)
    lookup_field = "user_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        people = selectors.people(client=self.request.api_client)
        if self.action == "list":
            wanted = _filters(PersonFilterSerializer, self.request)
            if "unit" in wanted:
                people = people.filter(_subtree_q(self.request, wanted["unit"]))
            if "role" in wanted:
                people = people.filter(role=wanted["role"])
            if wanted.get("active") is not None:
                people = people.filter(is_active=wanted["active"])
            if "updated_since" in wanted:
                since = wanted["updated_since"]
                people = people.filter(Q(updated_at__gte=since) | Q(user__updated_at__gte=since))
        return people

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
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The agency's units: each with its parent's id and its depth, listed in tree order
    (a parent before its children)."""

    serializer_class = UnitSerializer
    pagination_class = None
    read_scopes = (PEOPLE_READ, LEARNING_READ)
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        return selectors.units(client=self.request.api_client)


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
class EnrollmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnrollmentSerializer
    pagination_class = KeysetPagination
    keyset_ordering = ("updated_at", "id")
    read_scopes = (LEARNING_READ,)
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        rows = selectors.enrollments(client=self.request.api_client)
        if self.action == "list":
            wanted = _filters(EnrollmentFilterSerializer, self.request)
            if "course" in wanted:
                rows = rows.filter(course_id=wanted["course"])
            if "unit" in wanted:
                rows = rows.filter(_subtree_q(self.request, wanted["unit"]))
            if "status" in wanted:
                rows = rows.filter(status=wanted["status"])
            if "updated_since" in wanted:
                rows = rows.filter(updated_at__gte=wanted["updated_since"])
            # A change shows once it is API_SYNC_SETTLE_SECONDS old: a transaction that stamped
            # its rows a moment before it committed is never jumped over by a cursor that
            # already read past its timestamp.
            settle = datetime.timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)
            if settle:
                rows = rows.filter(updated_at__lte=timezone.now() - settle)
        return rows


@extend_schema_view(
    list=extend_schema(summary="Courses the agency can see", tags=["courses"]),
    retrieve=extend_schema(summary="One course", tags=["courses"]),
)
class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published courses the agency sees: its own and those shared with it. Ordered by id."""

    serializer_class = CourseSerializer
    pagination_class = KeysetPagination
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        return selectors.courses(client=self.request.api_client)


@extend_schema_view(
    list=extend_schema(
        summary="Certificates earned in the agency",
        parameters=[CertificateFilterSerializer],
        tags=["certificates"],
    ),
    retrieve=extend_schema(summary="One certificate", tags=["certificates"]),
)
class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates earned in the agency, revoked ones included (`valid` false). Ordered by
    id (certificates are issued, and only ever revoked)."""

    serializer_class = CertificateSerializer
    pagination_class = KeysetPagination
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        rows = selectors.certificates(client=self.request.api_client)
        if self.action == "list":
            wanted = _filters(CertificateFilterSerializer, self.request)
            if "course" in wanted:
                rows = rows.filter(issued_for__course_id=wanted["course"])
        return rows


@extend_schema_view(
    list=extend_schema(summary="Learning paths the agency can see", tags=["paths"]),
    retrieve=extend_schema(summary="One learning path", tags=["paths"]),
)
class PathViewSet(viewsets.ReadOnlyModelViewSet):
    """Published learning paths the agency sees (its own and the shared ones), each with its
    courses in order. Ordered by id."""

    serializer_class = PathSerializer
    pagination_class = KeysetPagination
    keyset_ordering = ("id",)
    read_scopes = (LEARNING_READ,)
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LearningPath.objects.none()
        return selectors.paths(client=self.request.api_client)
