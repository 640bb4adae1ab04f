"""What the API reads and writes: plain shapes over the other apps' rows (no model writes
here; the views hand validated data to api.services)."""

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Membership, Role, Unit
from courses.models import Course, LearningPath
from learning.models import Certificate, Enrollment, EnrollmentStatus, LearningEvent, Verb
from reminders.models import Assignment, RecurAnchor, TargetKind
from reports.models import ReportFormat, ReportRun


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    depth = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "name", "code", "parent", "depth"]
        read_only_fields = fields

    def get_depth(self, unit) -> int:
        return unit.depth


@extend_schema_field(OpenApiTypes.INT)
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
    agency = serializers.IntegerField(source="agency_id", read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.SerializerMethodField(
        help_text="When anything shown here last changed (address, name, unit, role, activity)."
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "email",
            "full_name",
            "unit",
            "role",
            "active",
            "agency",
            "joined_at",
            "updated_at",
        ]

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
    imported = serializers.SerializerMethodField(
        help_text="A completion imported from the agency's former system (no certificate)."
    )

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
            "imported",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_imported(self, enrollment) -> bool:
        return enrollment.imported_at is not None


def enrollment_rows(rows, courses: dict[int, dict]) -> list[dict]:
    """EnrollmentSerializer's representation of a sync page read as tuples of
    `selectors.ENROLLMENT_FEED_COLUMNS`, with each course's `{"id", "slug", "title"}` from
    `courses` (`selectors.course_refs`): no model instance nor serializer field per value, which
    costs far more than the query on a page of thousands of rows. For api.renderers only:
    dates and times stay `date`/`datetime`, written as DRF's fields write them (ISO 8601, UTC
    as `Z`), and each course is written once as JSON (`orjson.Fragment`), so a row holds no
    container and Python's garbage collector never walks the page (it took a third of a
    5,000-row page's time). tests/api/test_enrollments.py compares the JSON with DRF's, byte
    for byte."""
    courses = {pk: orjson.Fragment(orjson.dumps(ref)) for pk, ref in courses.items()}
    return [
        {
            "id": pk,
            "person": user_id,
            "email": email,
            "course": courses[course_id],
            "unit": unit_id,
            "status": status,
            "progress_percent": progress_percent,
            "started_at": started_at,
            "completed_at": completed_at,
            "final_score": final_score,
            "due_on": due_on,
            "required": required,
            "period": period,
            "imported": imported_at is not None,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        for (
            pk,
            user_id,
            email,
            course_id,
            unit_id,
            status,
            progress_percent,
            started_at,
            completed_at,
            final_score,
            due_on,
            required,
            period,
            imported_at,
            created_at,
            updated_at,
        ) in rows
    ]


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


class AssignmentSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id", allow_null=True)
    path = serializers.IntegerField(source="path_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    people = serializers.SerializerMethodField(
        help_text="For `target` `people`: the ids of the people named."
    )
    status = serializers.CharField(help_text="Enrolling its people: pending, running, done.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "course",
            "path",
            "target",
            "unit",
            "people",
            "due_on",
            "due_days",
            "required",
            "recur_months",
            "recur_anchor",
            "status",
            "people_total",
            "people_done",
            "created_at",
            "removed_at",
        ]
        read_only_fields = fields

    def get_people(self, assignment) -> list[int]:
        return [user.pk for user in assignment.people.all()]


@extend_schema_field(OpenApiTypes.INT)
class _ClientQuerysetField(serializers.PrimaryKeyRelatedField):
    """An object the client sees, by id (another agency's id reads as unknown)."""

    def __init__(self, selector_name, **kwargs):
        self.selector_name = selector_name
        super().__init__(**kwargs)

    def get_queryset(self):
        from . import selectors

        return getattr(selectors, self.selector_name)(client=self.context["request"].api_client)


class AssignmentCreateSerializer(serializers.Serializer):
    course = _ClientQuerysetField(
        "courses", required=False, allow_null=True, help_text="A course's id (or give `path`)."
    )
    path = _ClientQuerysetField(
        "paths", required=False, allow_null=True, help_text="A learning path's id."
    )
    target = serializers.ChoiceField(choices=TargetKind.choices)
    unit = _AgencyUnitField(
        required=False, allow_null=True, help_text="For `target` `unit`: the unit's id."
    )
    people = serializers.ListField(
        child=_ClientQuerysetField("people_users"),
        required=False,
        max_length=10000,
        help_text="For `target` `people`: the people's ids.",
    )
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text="A due date (today or later)..."
    )
    due_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=3650,
        help_text="... or a number of days after each person is assigned.",
    )
    required = serializers.BooleanField(required=False, default=True)
    recur_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=120
    )
    recur_anchor = serializers.ChoiceField(
        choices=RecurAnchor.choices, required=False, allow_blank=True, default=""
    )

    def terms(self) -> dict:
        """The validated data as reminders' services take it."""
        data = dict(self.validated_data)
        data["people"] = data.get("people") or []
        return data


class AssignmentPreviewCourseSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="Of the people reached, already completed.")
    enrolled = serializers.IntegerField(help_text="Of the people reached, enrolled, not done.")


class AssignmentPreviewReminderSerializer(serializers.Serializer):
    text = serializers.CharField()
    on = serializers.DateField(allow_null=True)


class AssignmentPreviewSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="How many people the assignment reaches.")
    courses = AssignmentPreviewCourseSerializer(many=True)
    due_on = serializers.DateField(help_text="The date each of them gets.")
    required = serializers.BooleanField()
    reminders = AssignmentPreviewReminderSerializer(many=True)


class ReportRunSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    course = serializers.IntegerField(source="course_id", allow_null=True)
    path = serializers.IntegerField(source="learning_path_id", allow_null=True)
    download = serializers.SerializerMethodField(
        help_text="Where to download the file, once `status` is `done`."
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "format",
            "unit",
            "course",
            "path",
            "required_only",
            "status",
            "rows_done",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, run) -> str | None:
        if run.status != ReportRun.Status.DONE or not run.file:
            return None
        request = self.context.get("request")
        path = f"/api/v1/report-runs/{run.pk}/download/"
        return request.build_absolute_uri(path) if request is not None else path


class ReportRunRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    unit = _AgencyUnitField(
        required=False, allow_null=True, help_text="A unit's id: that unit and those below it."
    )
    course = _ClientQuerysetField("courses", required=False, allow_null=True)
    path = _ClientQuerysetField("paths", required=False, allow_null=True)
    required_only = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds registered in reports.registries.report_kinds (the model's choices).
        self.fields["kind"].choices = ReportRun._meta.get_field("kind").choices

    def validate(self, data):
        if data.get("course") and data.get("path"):
            raise serializers.ValidationError({"path": ["Give a course or a path, not both."]})
        return data


class LearningEventSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="user_id", allow_null=True)
    course = serializers.IntegerField(source="course_id", allow_null=True)
    object_key = serializers.CharField(
        help_text="The lesson's or quiz's key (stable across versions)."
    )
    result = serializers.JSONField(help_text="What the step gave: a score, passed, a version…")

    class Meta:
        model = LearningEvent
        fields = [
            "id",
            "person",
            "verb",
            "object_type",
            "object_key",
            "course",
            "result",
            "created_at",
        ]
        read_only_fields = fields


# LearningEventSerializer's field names, in the order of selectors.LEARNING_EVENT_FEED_COLUMNS.
_LEARNING_EVENT_KEYS = (
    "id",
    "person",
    "verb",
    "object_type",
    "object_key",
    "course",
    "result",
    "created_at",
)


def learning_event_rows(rows) -> list[dict]:
    """LearningEventSerializer's representation of a feed page read as tuples of
    `selectors.LEARNING_EVENT_FEED_COLUMNS` (the time stays a `datetime` for the renderer)."""
    keys = _LEARNING_EVENT_KEYS
    return [dict(zip(keys, row, strict=True)) for row in rows]


class LearningEventFilterSerializer(serializers.Serializer):
    verb = serializers.ChoiceField(choices=Verb.choices, required=False)
    course = serializers.IntegerField(required=False, min_value=1, help_text="A course's id.")
    person = serializers.IntegerField(required=False, min_value=1, help_text="A person's id.")


class CertificateVerificationSerializer(serializers.Serializer):
    """What the public verification page shows, nothing more."""

    code = serializers.CharField()
    valid = serializers.BooleanField()
    learner_name = serializers.CharField()
    course_title = serializers.CharField()
    agency_name = serializers.CharField()
    issued_on = serializers.DateField()
    revoked_on = serializers.DateField(allow_null=True)


class HistoryRowSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    course = serializers.SlugField(max_length=80, help_text="The course's slug.")
    completed_on = serializers.DateField()
    score = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)


class HistoryImportSerializer(serializers.Serializer):
    rows = HistoryRowSerializer(
        many=True, required=False, help_text="The completions, or give `csv` instead."
    )
    csv = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="The documented CSV: email,course,completed_on,score (header first).",
    )

    def validate(self, data):
        if ("rows" in data) == ("csv" in data):
            raise serializers.ValidationError("Give either `rows` or `csv`.")
        return data


class HistoryImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    already_completed = serializers.IntegerField(
        help_text="Rows left alone: the person had completed the course in Academy."
    )
