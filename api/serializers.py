"""What the API reads and writes: plain shapes over the other apps' rows (no model writes
here; the views hand validated data to api.services)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Membership, Role, Unit
from courses.models import Course, LearningPath
from learning.models import Certificate, Enrollment, EnrollmentStatus


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    depth = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "name", "code", "parent", "depth"]
        read_only_fields = fields

    def get_depth(self, unit) -> int:
        return unit.depth


class _AgencyUnitField(serializers.PrimaryKeyRelatedField):
    """A unit of the client's agency, by id (another agency's id reads as unknown)."""

    def get_queryset(self):
        from .selectors import units

        return units(client=self.context["request"].api_client)


class PersonSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user_id", read_only=True)
    email = serializers.EmailField(source="user.email", max_length=254)
    full_name = serializers.CharField(
        source="user.full_name", max_length=200, required=False, allow_blank=True
    )
    unit = _AgencyUnitField(allow_null=True, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    active = serializers.BooleanField(source="is_active", required=False)
    joined_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.SerializerMethodField(
        help_text="When anything shown here last changed (address, name, unit, role, activity)."
    )

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "unit", "role", "active", "joined_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated_at(self, membership) -> str:
        return serializers.DateTimeField().to_representation(
            max(membership.updated_at, membership.user.updated_at)
        )


class PersonUpdateSerializer(PersonSerializer):
    email = serializers.EmailField(source="user.email", max_length=254, required=False)


class PersonFilterSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False, min_value=1, help_text="A unit's id: its people and those below it."
    )
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=(
            "Only people whose address, name, unit, role or activity changed at or after this "
            "moment."
        ),
    )


class CourseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class EnrollmentSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="user_id")
    email = serializers.EmailField(source="user.email")
    course = CourseRefSerializer()
    unit = serializers.IntegerField(source="unit_id", allow_null=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "person",
            "email",
            "course",
            "unit",
            "status",
            "progress_percent",
            "started_at",
            "completed_at",
            "final_score",
            "due_on",
            "required",
            "period",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EnrollmentFilterSerializer(serializers.Serializer):
    course = serializers.IntegerField(required=False, min_value=1, help_text="A course's id.")
    unit = serializers.IntegerField(
        required=False, min_value=1, help_text="A unit's id: its enrollments and those below it."
    )
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices, required=False)
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only enrollments changed at or after this moment."
    )


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "slug", "title", "summary", "level", "language", "estimated_minutes"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    enrollment = serializers.IntegerField(source="issued_for_id", allow_null=True)
    person = serializers.IntegerField(source="issued_for.user_id", allow_null=True)
    course = serializers.IntegerField(source="issued_for.course_id", allow_null=True)
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "enrollment",
            "person",
            "course",
            "learner_name",
            "course_title",
            "period",
            "issued_at",
            "revoked_at",
            "valid",
        ]
        read_only_fields = fields

    def get_valid(self, certificate) -> bool:
        return certificate.revoked_at is None


class CertificateFilterSerializer(serializers.Serializer):
    course = serializers.IntegerField(required=False, min_value=1, help_text="A course's id.")


class PathSerializer(serializers.ModelSerializer):
    courses = serializers.SerializerMethodField(
        help_text="The path's courses the agency sees, in the path's order (ids)."
    )

    class Meta:
        model = LearningPath
        fields = ["id", "slug", "title", "summary", "language", "courses"]
        read_only_fields = fields

    def get_courses(self, path) -> list[int]:
        return [step.course_id for step in path.visible_steps]
